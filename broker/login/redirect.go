package login

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// redirectState is what the broker remembers while the browser is at an
// upstream: which auth request, which browser, which connector. It is kept
// under the hash of the `state` it sent, taken once on the way back.
type redirectState struct {
	AuthRequestID string `json:"ar"`
	BrowserID     string `json:"b"`
	Connector     string `json:"c"`
}

// takeStep takes the one-time record a login step left under key, which
// must be for this route's connector (connector reads it from the record).
// Unless ok, the browser has its answer: a missing, malformed or another
// connector's record is 400 invalid_state, a store failure 503.
func takeStep[T any](l *Login, c echo.Context, key string, connector func(*T) string) (rec *T, ok bool) {
	r := c.Request()
	raw, err := l.o.Store.TakeValue(r.Context(), key)
	if errors.Is(err, store.ErrNotFound) {
		l.ErrorPage(c.Response(), r, http.StatusBadRequest, "invalid_state")
		return nil, false
	}
	if err != nil {
		l.fail(c, err, "")
		return nil, false
	}
	rec = new(T)
	if err := json.Unmarshal(raw, rec); err != nil || connector(rec) != c.Param("connector") {
		l.ErrorPage(c.Response(), r, http.StatusBadRequest, "invalid_state")
		return nil, false
	}
	return rec, true
}

// redirectStateTTL bounds the time a user may spend at an upstream
// (reading a QR with WeChat, typing at a provincial portal).
const redirectStateTTL = 10 * time.Minute

func redirectStateKey(state string) string { return "login-state:" + secrets.Hash(state) }

// CallbackURL is where an upstream sends the browser back for connector
// id. Connectors that cannot carry `state` through their upstream (CAS)
// put it into this URL's query themselves.
func (l *Login) CallbackURL(connectorID string) string {
	return strings.TrimSuffix(l.o.Issuer, "/") + "/login/" + url.PathEscape(connectorID) + "/callback"
}

// startRedirect sends the browser to a redirect connector's upstream with
// a fresh state (256 random bits) bound to this auth request and browser.
func (l *Login) startRedirect(c echo.Context, ar *store.AuthRequest, cn connectors.RedirectLogin) error {
	ctx := c.Request().Context()
	state := secrets.Random(32)
	rec, _ := json.Marshal(redirectState{AuthRequestID: ar.ID, BrowserID: ar.BrowserID, Connector: cn.ID()})
	if err := l.o.Store.SetValue(ctx, redirectStateKey(state), rec, redirectStateTTL); err != nil {
		l.fail(c, err, "")
		return nil
	}
	force := slices.Contains(ar.Prompt, "login") || (ar.MaxAge != nil && *ar.MaxAge == 0)
	ctx = connectors.WithLoginHints(ctx, connectors.LoginHints{ForceLogin: force})
	u, err := traced(connectors.WithUserAgent(ctx, c.Request().UserAgent()), l, stepBegin, cn, func(ctx context.Context) (string, error) {
		return cn.LoginURL(ctx, state, l.CallbackURL(cn.ID()))
	})
	if err != nil {
		l.log.ErrorContext(ctx, "redirect login", "connector", cn.ID(), "err", err)
		l.ErrorPage(c.Response(), c.Request(), http.StatusBadGateway, "upstream")
		return nil
	}
	return c.Redirect(http.StatusSeeOther, u)
}

// callback takes the browser back from an upstream: the state must be one
// this broker issued, not used before, for this connector and this
// browser; then the connector turns the answer into an identity.
func (l *Login) callback(c echo.Context) error {
	r := c.Request()
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	if state == "" {
		l.ErrorPage(c.Response(), r, http.StatusBadRequest, "invalid_state")
		return nil
	}
	rec, ok := takeStep(l, c, redirectStateKey(state), func(s *redirectState) string { return s.Connector })
	if !ok {
		return nil
	}
	ar, cl, lang := l.request(c, rec.AuthRequestID) // checks the browser binding
	if ar == nil {
		return nil
	}
	cn, ok := l.byID[rec.Connector].(connectors.RedirectLogin)
	if !ok || !l.allowedFor(cl)(rec.Connector) {
		l.ErrorPage(c.Response(), r, http.StatusNotFound, "no_connector")
		return nil
	}
	id, err := traced(ctx, l, stepFinish, cn, func(ctx context.Context) (connectors.Identity, error) {
		return cn.HandleCallback(ctx, r.WithContext(ctx))
	})
	if err != nil {
		l.onLogin(cn.ID(), loginResult(err))
		l.recordFailure(c, ar, cn.ID(), "", err)
		if le, ok := connectors.AsLoginError(err); ok && le.Code == connectors.CodeUserRefused {
			return l.userRefused(c, ar, cl, lang, cn.ID(), le)
		}
		if le, ok := connectors.AsLoginError(err); ok {
			l.errorText(c, refusalStatus(le), lang, le.Text(lang))
			return nil
		}
		l.log.ErrorContext(ctx, "redirect login callback", "connector", cn.ID(), "err", err)
		l.ErrorPage(c.Response(), r, http.StatusBadGateway, "upstream")
		return nil
	}
	l.onLogin(cn.ID(), "success")
	return l.loggedIn(c, ar, id)
}

// errorText shows the error page with a connector's own message.
func (l *Login) errorText(c echo.Context, status int, lang, msg string) {
	_ = l.o.Pages.Render(c.Response(), status, "error", map[string]any{"Lang": lang, "Message": msg})
}

func loginResult(err error) string {
	if le, ok := connectors.AsLoginError(err); ok {
		return le.Code
	}
	return "error"
}

// recordFailure audits a failed login; login is the masked user input of
// a form login ("" for redirect logins).
func (l *Login) recordFailure(c echo.Context, ar *store.AuthRequest, connector, login string, err error) {
	e := audit.Event{Type: audit.LoginFailure, Outcome: audit.Failure, Reason: loginResult(err), Connector: connector,
		Client: ar.ClientID, Subject: login}
	l.record(c, e)
	if le, ok := connectors.AsLoginError(err); ok && le.Lockout {
		e.Type, e.Reason = audit.LoginLockout, "too_many_failures"
		l.record(c, e)
	}
}

// record audits e with the request's IP and user agent. An audit outage
// is logged; it does not stop a login (the JSON log mirror still has it).
func (l *Login) record(c echo.Context, e audit.Event) {
	if l.o.Audit == nil {
		return
	}
	e.IP, e.UserAgent = c.RealIP(), c.Request().UserAgent()
	if err := l.o.Audit.Record(c.Request().Context(), e); err != nil {
		l.log.ErrorContext(c.Request().Context(), "audit write failed", "type", e.Type, "err", err)
	}
}
