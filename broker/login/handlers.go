package login

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
)

// page is the common data of every login page.
type page struct {
	Lang          string
	SwitchURL     string
	AuthRequestID string
	CSRF          string
	ClientName    string
}

// request loads the auth request named by id and checks that this browser
// started it. It renders the error page itself and returns nil on failure.
func (l *Login) request(c echo.Context, id string) (*store.AuthRequest, *store.Client, string) {
	r := c.Request()
	lang := web.Lang(nil, r.Header.Get("Accept-Language"), l.o.DefaultLocale)
	ar, err := l.o.Store.GetAuthRequest(r.Context(), id)
	if err != nil {
		l.fail(c, err, "invalid_request")
		return nil, nil, lang
	}
	lang = l.lang(c, ar)
	if ar.BrowserID == "" || ar.BrowserID != l.ck.existingBrowserID(r) {
		l.ErrorPage(c.Response(), r, http.StatusBadRequest, "browser_mismatch")
		return nil, nil, lang
	}
	cl, err := l.o.Clients.Client(r.Context(), ar.ClientID)
	if err != nil {
		l.fail(c, err, "invalid_request")
		return nil, nil, lang
	}
	return ar, cl, lang
}

// lang: ?lang= switch, then ui_locales, then Accept-Language.
func (l *Login) lang(c echo.Context, ar *store.AuthRequest) string {
	if q := c.QueryParam("lang"); q == "en" || q == "zh-CN" {
		return q
	}
	return web.Lang(ar.UILocales, c.Request().Header.Get("Accept-Language"), l.o.DefaultLocale)
}

func (l *Login) fail(c echo.Context, err error, code string) {
	status := http.StatusBadRequest
	if errors.Is(err, store.ErrUnavailable) {
		status, code = http.StatusServiceUnavailable, "unavailable"
	} else if !errors.Is(err, store.ErrNotFound) {
		l.log.Error("login", "err", err)
		status, code = http.StatusInternalServerError, "internal"
	}
	l.ErrorPage(c.Response(), c.Request(), status, code)
}

func (l *Login) base(c echo.Context, ar *store.AuthRequest, cl *store.Client, lang string) page {
	other := "en"
	if lang == "en" {
		other = "zh-CN"
	}
	// After a form POST the URL carries no id: always name the request.
	q := c.Request().URL.Query()
	q.Set("id", ar.ID)
	q.Set("lang", other)
	return page{Lang: lang, SwitchURL: c.Request().URL.Path + "?" + q.Encode(), AuthRequestID: ar.ID,
		CSRF: l.ck.csrf(ar.BrowserID, ar.ID), ClientName: cl.Name}
}

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
		l.ErrorPage(c.Response(), c.Request(), http.StatusBadRequest, code)
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

// form loads the auth request a posted form names and checks its CSRF
// token; it renders the error page itself and returns nil on failure.
func (l *Login) form(c echo.Context) (*store.AuthRequest, *store.Client, string) {
	r := c.Request()
	ar, cl, lang := l.request(c, r.PostFormValue("id"))
	if ar == nil {
		return nil, nil, lang
	}
	if !l.ck.checkCSRF(r.PostFormValue("csrf"), l.ck.existingBrowserID(r), ar.ID) {
		l.ErrorPage(c.Response(), r, http.StatusForbidden, "csrf")
		return nil, nil, lang
	}
	return ar, cl, lang
}

// submit handles a password-style form: a login, or with action=send a
// request for a one-time code.
func (l *Login) submit(c echo.Context) error {
	r := c.Request()
	ar, cl, lang := l.form(c)
	if ar == nil {
		return nil
	}
	cn := l.connector(c, ar, cl)
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
	n, err := l.o.Store.Incr(r.Context(), "login:ip:"+ip, time.Minute)
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
	id, err := pl.Login(r.Context(), connectors.Credentials{User: user, Secret: r.PostFormValue("secret"), RemoteIP: ip})
	if err != nil {
		l.recordFailure(c, ar, cn.ID(), maskLogin(user), err)
		if le, ok := connectors.AsLoginError(err); ok {
			l.onLogin(cn.ID(), le.Code)
			// 200 like Keycloak: a re-rendered form is not an HTTP
			// authentication challenge (401 would need WWW-Authenticate).
			return l.renderPassword(c, http.StatusOK, ar, cl, lang, cn, user, le.Text(lang), "")
		}
		l.onLogin(cn.ID(), "error")
		l.fail(c, err, "")
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
	err := cs.SendCode(c.Request().Context(), connectors.Credentials{User: user, RemoteIP: ip})
	if err != nil {
		if le, ok := connectors.AsLoginError(err); ok {
			l.onLogin(cn.ID(), "send_"+le.Code)
			return l.renderPassword(c, http.StatusOK, ar, cl, lang, cn, user, le.Text(lang), "")
		}
		l.onLogin(cn.ID(), "send_error")
		l.fail(c, err, "")
		return nil
	}
	l.onLogin(cn.ID(), "code_sent")
	return l.renderPassword(c, http.StatusOK, ar, cl, lang, cn, user, "", web.Text(lang, "code_sent"))
}

// loggedIn starts a fresh SSO session (a new ID on every login prevents
// session fixation) and finishes the request.
func (l *Login) loggedIn(c echo.Context, ar *store.AuthRequest, id connectors.Identity) error {
	ctx := c.Request().Context()
	p, err := l.o.Resolver.Resolve(ctx, id)
	if err != nil {
		return l.unresolved(c, ar, id, err)
	}
	l.record(c, audit.Event{Type: audit.LoginSuccess, Connector: id.ConnectorID, Client: ar.ClientID,
		Principal: p.Subject, Unit: p.UnitID, Subject: maskSubject(id.Subject)})
	now := l.o.Now()
	cookie := randomValue()
	s := &store.Session{ID: hashValue(cookie), CreatedAt: now, ExpiresAt: now.Add(l.o.SessionLifetime),
		Auth: store.Authentication{Subject: p.Subject, AuthTime: now.Truncate(time.Second), AMR: id.AMR, ACR: id.ACR, IDP: id.ConnectorID, UnitID: p.UnitID,
			CertThumbprint: certThumbprintOf(c)}}
	s.Auth.SessionID = s.ID
	if old := l.ck.sessionID(c.Request()); old != "" {
		_ = l.o.Store.DeleteSession(ctx, old)
	}
	if err := l.o.Store.CreateSession(ctx, s); err != nil {
		l.fail(c, err, "")
		return nil
	}
	l.rememberUpstream(ctx, s, id)
	l.ck.set(c.Response(), l.o.SessionCookie, cookie, l.o.SessionLifetime)
	return l.finish(c, ar, s)
}

// unresolved answers an identity that cannot log in as it is: the
// binding page for an unlinked self-bind identity, the error page (and
// an audited failure) otherwise.
func (l *Login) unresolved(c echo.Context, ar *store.AuthRequest, id connectors.Identity, err error) error {
	var code string
	switch {
	case errors.Is(err, ErrNeedsBinding):
		return l.startBinding(c, ar, id)
	case errors.Is(err, ErrNotBound):
		code = "not_bound"
	case errors.Is(err, ErrNoAccount):
		code = "no_account"
	default:
		l.fail(c, err, "")
		return nil
	}
	l.onLogin(id.ConnectorID, code)
	l.record(c, audit.Event{Type: audit.LoginFailure, Outcome: audit.Failure, Reason: code, Connector: id.ConnectorID,
		Client: ar.ClientID, Subject: maskSubject(id.Subject)})
	l.ErrorPage(c.Response(), c.Request(), http.StatusForbidden, code)
	return nil
}

// finish completes the auth request from the session, after the unit
// choice when the person acts for several units.
func (l *Login) finish(c echo.Context, ar *store.AuthRequest, s *store.Session) error {
	ctx := c.Request().Context()
	auth := s.Auth
	if auth.UnitID == "" {
		units, err := l.o.Resolver.UnitsOf(ctx, auth.Subject)
		if err != nil {
			l.fail(c, err, "")
			return nil
		}
		switch len(units) {
		case 0:
		case 1:
			auth.UnitID = units[0].ID
		default:
			return c.Redirect(http.StatusSeeOther, "/login/unit?id="+url.QueryEscape(ar.ID))
		}
	}
	if err := l.o.Store.CompleteAuthRequest(ctx, ar.ID, auth); err != nil && !errors.Is(err, store.ErrConflict) {
		l.fail(c, err, "invalid_request")
		return nil
	}
	return c.Redirect(http.StatusSeeOther, provider.CallbackURL(l.o.Issuer, ar.ID))
}

// session returns the browser's SSO session or renders an error.
func (l *Login) session(c echo.Context) *store.Session {
	sid := l.ck.sessionID(c.Request())
	if sid == "" {
		l.ErrorPage(c.Response(), c.Request(), http.StatusBadRequest, "invalid_request")
		return nil
	}
	s, err := l.liveSession(c.Request().Context(), sid)
	if err != nil {
		l.fail(c, err, "invalid_request")
		return nil
	}
	return s
}

func (l *Login) showUnits(c echo.Context) error {
	ar, cl, lang := l.request(c, c.QueryParam("id"))
	if ar == nil {
		return nil
	}
	s := l.session(c)
	if s == nil {
		return nil
	}
	return l.renderUnits(c, http.StatusOK, ar, cl, lang, s, "")
}

func (l *Login) renderUnits(c echo.Context, status int, ar *store.AuthRequest, cl *store.Client, lang string, s *store.Session, msg string) error {
	units, err := l.o.Resolver.UnitsOf(c.Request().Context(), s.Auth.Subject)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	return l.o.Pages.Render(c.Response(), status, "unit", struct {
		page
		Units []Unit
		Error string
	}{l.base(c, ar, cl, lang), units, msg})
}

// chooseUnit records the unit in the session (remembered for this browser
// session) and finishes.
func (l *Login) chooseUnit(c echo.Context) error {
	r := c.Request()
	ar, cl, lang := l.form(c)
	if ar == nil {
		return nil
	}
	s := l.session(c)
	if s == nil {
		return nil
	}
	units, err := l.o.Resolver.UnitsOf(r.Context(), s.Auth.Subject)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	want := r.PostFormValue("unit")
	for _, u := range units {
		if u.ID == want {
			s.Auth.UnitID = u.ID
			if err := l.o.Store.CreateSession(r.Context(), s); err != nil {
				l.fail(c, err, "")
				return nil
			}
			return l.finish(c, ar, s)
		}
	}
	return l.renderUnits(c, http.StatusBadRequest, ar, cl, lang, s, web.Text(lang, "err_no_unit"))
}
