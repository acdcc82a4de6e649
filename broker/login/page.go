package login

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
)

// The checks and data every login page shares: the auth request a page
// names (and that this browser started it), the language, the CSRF check
// of posted forms, and the error page for store failures.

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
		l.log.ErrorContext(c.Request().Context(), "login", "err", err)
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

// formConnector is form, then the usable connector the path names: what a
// posted login step works on. It renders the error page itself and returns
// a nil connector on failure.
func (l *Login) formConnector(c echo.Context) (*store.AuthRequest, *store.Client, string, connectors.Connector) {
	ar, cl, lang := l.form(c)
	if ar == nil {
		return nil, nil, lang, nil
	}
	cn := l.connector(c, ar, cl)
	if cn == nil {
		return nil, nil, lang, nil
	}
	return ar, cl, lang, cn
}

// refusal sorts a login step's error. A refusal the person may read is
// counted as outcome prefix+code and returned, for the page to show; any
// other error is counted as "error" and answered by fail, and refusal
// returns nil.
func (l *Login) refusal(c echo.Context, connectorID, prefix string, err error) *connectors.LoginError {
	le, ok := connectors.AsLoginError(err)
	if !ok {
		l.onLogin(connectorID, "error")
		l.fail(c, err, "")
		return nil
	}
	l.onLogin(connectorID, prefix+le.Code)
	return le
}
