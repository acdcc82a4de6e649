package login

import (
	"errors"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// Completing a login: the identity resolved to a principal, a fresh SSO
// session, and the auth request completed (after the unit choice when
// there is one).

// loggedIn starts a fresh SSO session (a new ID on every login prevents
// session fixation) and finishes the request.
func (l *Login) loggedIn(c echo.Context, ar *store.AuthRequest, id connectors.Identity) error {
	ctx := c.Request().Context()
	p, err := l.o.Resolver.Resolve(ctx, id)
	if err != nil {
		return l.unresolved(c, ar, id, err)
	}
	if sf, ok := l.byID[id.ConnectorID].(connectors.SecondFactor); ok && sf.SecondFactor() == connectors.SecondFactorPassword {
		return l.startSecondFactor(c, ar, id, p)
	}
	return l.startSession(c, ar, id, p)
}

// startSession records the login of principal p (proved by identity id),
// starts its SSO session and finishes the request.
func (l *Login) startSession(c echo.Context, ar *store.AuthRequest, id connectors.Identity, p Principal) error {
	ctx := c.Request().Context()
	l.record(c, audit.Event{Type: audit.LoginSuccess, Connector: id.ConnectorID, Client: ar.ClientID,
		Principal: p.Subject, Unit: p.UnitID, Subject: maskSubject(id.Subject)})
	now := l.o.Now()
	cookie := secrets.Random(32)
	s := &store.Session{ID: secrets.Hash(cookie), CreatedAt: now, ExpiresAt: now.Add(l.o.SessionLifetime),
		Auth: store.Authentication{Subject: p.Subject, AuthTime: now.Truncate(time.Second), AMR: id.AMR, ACR: id.ACR, IDP: id.ConnectorID, UnitID: p.UnitID,
			CertThumbprint: certThumbprintOf(c)},
		UserAgent: truncate(c.Request().UserAgent(), 256), IP: c.RealIP()}
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

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
