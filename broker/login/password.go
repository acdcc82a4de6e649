package login

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
)

// Password-style forms (password, SMS code): the form, a login, and the
// request for a one-time code.

// renderPassword shows the form of a PasswordLogin connector with an error
// (msg) or a notice; a CodeSender gets a "send code" button and a code
// field instead of a password field.
func (l *Login) renderPassword(c echo.Context, status int, ar *store.AuthRequest, cl *store.Client, lang string, cn connectors.Connector, user, msg, notice string) error {
	usable, _ := l.usable(cl, ar)
	back := ""
	if len(usable) > 1 {
		back = URL(ar.ID) + "&lang=" + lang
	}
	_, codeSender := cn.(connectors.CodeSender)
	return l.o.Pages.Render(c.Response(), status, "password", struct {
		page
		ConnectorName, Action, User, Error, Notice, BackURL string
		CodeSender                                          bool
	}{l.base(c, ar, cl, lang), cn.DisplayName(lang), "/login/" + url.PathEscape(cn.ID()) + "?lang=" + lang, user, msg, notice, back, codeSender})
}

// submit handles a password-style form: a login, or with action=send a
// request for a one-time code.
func (l *Login) submit(c echo.Context) error {
	r := c.Request()
	ar, cl, lang, cn := l.formConnector(c)
	if cn == nil {
		return nil
	}
	if cl2, ok := cn.(connectors.CertificateLogin); ok {
		return l.submitCertificate(c, ar, cl, lang, cl2)
	}
	pl, ok := cn.(connectors.PasswordLogin)
	if !ok {
		l.ErrorPage(c.Response(), r, http.StatusNotFound, "no_connector")
		return nil
	}
	ip := c.RealIP()
	n, err := l.ipAttempts(r.Context(), "login", ip, time.Minute)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	user := strings.TrimSpace(r.PostFormValue("user"))
	if int(n) > l.o.IPRateLimit {
		l.onLogin(cn.ID(), "rate_limited")
		return l.renderPassword(c, http.StatusTooManyRequests, ar, cl, lang, cn, user, web.Text(lang, "err_rate_limited"), "")
	}
	if r.PostFormValue("action") == "send" {
		return l.sendCode(c, ar, cl, lang, cn, user, ip)
	}
	id, err := traced(r.Context(), l, stepFinish, cn, func(ctx context.Context) (connectors.Identity, error) {
		return pl.Login(ctx, connectors.Credentials{User: user, Secret: r.PostFormValue("secret"), RemoteIP: ip})
	})
	if err != nil {
		l.recordFailure(c, ar, cn.ID(), maskLogin(user), err)
		if le := l.refusal(c, cn.ID(), "", err); le != nil {
			// The form again with the refusal, 403 (status.go).
			return l.renderPassword(c, refusalStatus(le), ar, cl, lang, cn, user, le.Text(lang), "")
		}
		return nil
	}
	l.onLogin(cn.ID(), "success")
	return l.loggedIn(c, ar, id)
}

// sendCode asks a CodeSender connector for a one-time code and shows the
// form again, the mobile filled in. The notice is the same whether or not
// the mobile is registered: the connector answers alike for both.
func (l *Login) sendCode(c echo.Context, ar *store.AuthRequest, cl *store.Client, lang string, cn connectors.Connector, user, ip string) error {
	cs, ok := cn.(connectors.CodeSender)
	if !ok {
		l.ErrorPage(c.Response(), c.Request(), http.StatusNotFound, "no_connector")
		return nil
	}
	err := tracedErr(c.Request().Context(), l, stepBegin, cn, func(ctx context.Context) error {
		return cs.SendCode(ctx, connectors.Credentials{User: user, RemoteIP: ip})
	})
	if err != nil {
		if le, ok := connectors.AsLoginError(err); ok {
			l.onLogin(cn.ID(), "send_"+le.Code)
			// A code request is no login: its notices keep 200.
			return l.renderPassword(c, http.StatusOK, ar, cl, lang, cn, user, le.Text(lang), "")
		}
		l.onLogin(cn.ID(), "send_error")
		l.fail(c, err, "")
		return nil
	}
	l.onLogin(cn.ID(), "code_sent")
	return l.renderPassword(c, http.StatusOK, ar, cl, lang, cn, user, "", web.Text(lang, "code_sent"))
}
