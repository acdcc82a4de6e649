package login

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// The connector chooser: where /authorize sends the browser, and the first
// page of each kind of connector.

// marks are the brand marks (broker/web/static) shown on the chooser's
// buttons, by connector type, with the platform's proper name as alt text.
var marks = map[string]struct{ file, zh, en string }{
	"alipay": {"mark-alipay.svg", "支付宝", "Alipay"}, // connectors/alipay.Type
	"wechat": {"mark-wechat.svg", "微信", "WeChat"},  // connectors/wechat.Type
}

// show is where /authorize sends the browser: answer from the SSO session,
// go straight to a hinted or only connector, or show the chooser.
func (l *Login) show(c echo.Context) error {
	ar, cl, lang := l.request(c, c.QueryParam("id"))
	if ar == nil {
		return nil
	}
	ctx := c.Request().Context()
	if sid := l.ck.sessionID(c.Request()); sid != "" {
		s, err := l.liveSession(ctx, sid)
		if err == nil && sessionSatisfies(s, ar, l.allowedFor(cl), l.o.Now()) {
			return l.finish(c, ar, s)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			l.fail(c, err, "")
			return nil
		}
	}
	usable, weak := l.usable(cl, ar)
	suffix := "?id=" + url.QueryEscape(ar.ID)
	if q := c.QueryParam("lang"); q != "" {
		suffix += "&lang=" + url.QueryEscape(q)
	}
	for _, cn := range usable {
		if cn.ID() == ar.IDPHint {
			return c.Redirect(http.StatusSeeOther, "/login/"+url.PathEscape(cn.ID())+suffix)
		}
	}
	switch len(usable) {
	case 0:
		code := "no_connector"
		if weak {
			code = "weak_method"
		}
		l.ErrorPage(c.Response(), c.Request(), statusRefused, code) // policy: no method for this client
		return nil
	case 1:
		return c.Redirect(http.StatusSeeOther, "/login/"+url.PathEscape(usable[0].ID())+suffix)
	}
	type button struct{ ID, Type, Name, URL, Mark, MarkAlt string }
	var buttons []button
	for _, cn := range usable {
		b := button{ID: cn.ID(), Type: cn.Type(), Name: cn.DisplayName(lang), URL: "/login/" + url.PathEscape(cn.ID()) + "?id=" + url.QueryEscape(ar.ID) + "&lang=" + lang}
		if m, ok := marks[b.Type]; ok {
			b.Mark, b.MarkAlt = "/static/"+m.file, m.zh
			if lang == "en" {
				b.MarkAlt = m.en
			}
		}
		buttons = append(buttons, b)
	}
	return l.o.Pages.Render(c.Response(), http.StatusOK, "chooser", struct {
		page
		Connectors []button
	}{l.base(c, ar, cl, lang), buttons})
}

// connector finds a connector this request may use.
func (l *Login) connector(c echo.Context, ar *store.AuthRequest, cl *store.Client) connectors.Connector {
	usable, _ := l.usable(cl, ar)
	for _, cn := range usable {
		if cn.ID() == c.Param("connector") {
			return cn
		}
	}
	l.ErrorPage(c.Response(), c.Request(), http.StatusNotFound, "no_connector")
	return nil
}

func (l *Login) showConnector(c echo.Context) error {
	ar, cl, lang := l.request(c, c.QueryParam("id"))
	if ar == nil {
		return nil
	}
	cn := l.connector(c, ar, cl)
	if cn == nil {
		return nil
	}
	if rl, ok := cn.(connectors.RedirectLogin); ok {
		return l.startRedirect(c, ar, rl)
	}
	if cl2, ok := cn.(connectors.CertificateLogin); ok {
		return l.showCertificate(c, ar, cl, lang, cl2)
	}
	if cd, ok := cn.(connectors.CrossDevice); ok {
		return l.showCrossDevice(c, ar, cl, lang, cd, "")
	}
	if _, ok := cn.(connectors.PasswordLogin); ok {
		// login_hint prefills the login, as Keycloak does with the username.
		return l.renderPassword(c, http.StatusOK, ar, cl, lang, cn, ar.LoginHint, "", "")
	}
	l.ErrorPage(c.Response(), c.Request(), http.StatusNotFound, "no_connector")
	return nil
}
