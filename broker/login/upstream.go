package login

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// Upstream sessions. A login through a connector whose upstream keeps a
// session of its own is remembered with the broker's SSO session, so that
// ending one ends the other:
//
//   - upstream-logout:<session> → connector ID: at end_session the browser
//     passes through the upstream's logout (connectors.UpstreamLogout);
//   - upstream-session:<connector>:<hash of the upstream's handle> →
//     session: the upstream's back-channel logout (CAS single logout,
//     connectors.SingleLogout) ends the broker session of that login.
//
// Both live as long as the session; a lost record only means the
// upstream's session outlives the broker's, which the user can end there.
func upstreamLogoutKey(sessionID string) string { return "upstream-logout:" + sessionID }

func upstreamSessionKey(connector, handle string) string {
	return "upstream-session:" + connector + ":" + secrets.Hash(handle)
}

func logoutStateKey(state string) string { return "logout-state:" + secrets.Hash(state) }

// logoutState is what the broker remembers while the browser is at an
// upstream's logout: where to send it afterwards.
type logoutState struct {
	Next      string `json:"n"`
	Connector string `json:"c"`
}

// rememberUpstream records the upstream side of a new session s.
func (l *Login) rememberUpstream(ctx context.Context, s *store.Session, id connectors.Identity) {
	cn := l.byID[id.ConnectorID]
	ttl := s.ExpiresAt.Sub(l.o.Now())
	if _, ok := cn.(connectors.UpstreamLogout); ok {
		if err := l.o.Store.SetValue(ctx, upstreamLogoutKey(s.ID), []byte(id.ConnectorID), ttl); err != nil {
			l.log.ErrorContext(ctx, "remember upstream logout", "connector", id.ConnectorID, "err", err)
		}
	}
	if _, ok := cn.(connectors.SingleLogout); ok && id.UpstreamSession != "" {
		if err := l.o.Store.SetValue(ctx, upstreamSessionKey(id.ConnectorID, id.UpstreamSession), []byte(s.ID), ttl); err != nil {
			l.log.ErrorContext(ctx, "remember upstream session", "connector", id.ConnectorID, "err", err)
		}
	}
}

// LogoutReturnURL is where an upstream's logout sends the browser back.
func (l *Login) LogoutReturnURL(connectorID string) string {
	return strings.TrimSuffix(l.o.Issuer, "/") + "/login/" + url.PathEscape(connectorID) + "/logged-out"
}

// UpstreamLogout is called when end_session ended session sessionID; next
// is where the browser goes afterwards (the validated
// post_logout_redirect_uri with its state, or the logged-out page). It
// returns the upstream's logout URL to go through first, or "" when the
// session's login needs none.
func (l *Login) UpstreamLogout(ctx context.Context, sessionID, next string) string {
	raw, err := l.o.Store.TakeValue(ctx, upstreamLogoutKey(sessionID))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			l.log.ErrorContext(ctx, "upstream logout", "err", err)
		}
		return ""
	}
	cn, ok := l.byID[string(raw)].(connectors.UpstreamLogout)
	if !ok {
		return ""
	}
	state := secrets.Random(32)
	rec, _ := json.Marshal(logoutState{Next: next, Connector: cn.ID()})
	if err := l.o.Store.SetValue(ctx, logoutStateKey(state), rec, redirectStateTTL); err != nil {
		l.log.ErrorContext(ctx, "upstream logout", "connector", cn.ID(), "err", err)
		return ""
	}
	u, err := cn.LogoutURL(ctx, state, l.LogoutReturnURL(cn.ID()))
	if err != nil || u == "" {
		if err != nil {
			l.log.ErrorContext(ctx, "upstream logout", "connector", cn.ID(), "err", err)
		}
		_ = l.o.Store.DeleteValue(ctx, logoutStateKey(state))
		return ""
	}
	return u
}

// upstreamLoggedOut takes the browser back from an upstream's logout to
// where end_session was to send it. Only a state this broker issued leads
// anywhere but the logged-out page (no open redirect).
func (l *Login) upstreamLoggedOut(c echo.Context) error {
	ctx := c.Request().Context()
	if state := c.QueryParam("state"); state != "" {
		raw, err := l.o.Store.TakeValue(ctx, logoutStateKey(state))
		var rec logoutState
		if err == nil && json.Unmarshal(raw, &rec) == nil && rec.Connector == c.Param("connector") && rec.Next != "" {
			return c.Redirect(http.StatusFound, rec.Next)
		}
	}
	return l.loggedOut(c)
}

// backChannelLogout serves an upstream's logout message (CAS single
// logout POSTs a logoutRequest to the callback URL): the broker session
// of the login it names ends. The answer is all CAS reads: 200.
func (l *Login) backChannelLogout(c echo.Context) error {
	id := c.Param("connector")
	cn, ok := l.byID[id].(connectors.SingleLogout)
	if !ok {
		return c.NoContent(http.StatusNotFound)
	}
	ctx := c.Request().Context()
	handle, err := cn.LogoutSession(ctx, c.Request())
	if err != nil {
		l.log.WarnContext(ctx, "back-channel logout refused", "connector", id, "err", err)
		return c.NoContent(http.StatusBadRequest)
	}
	sid, err := l.o.Store.TakeValue(ctx, upstreamSessionKey(id, handle))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return c.NoContent(http.StatusOK) // unknown or already ended
	case err != nil:
		l.log.ErrorContext(ctx, "back-channel logout", "connector", id, "err", err)
		return c.NoContent(http.StatusServiceUnavailable)
	}
	if err := l.o.Store.DeleteSession(ctx, string(sid)); err != nil && !errors.Is(err, store.ErrNotFound) {
		l.log.ErrorContext(ctx, "back-channel logout", "connector", id, "err", err)
		return c.NoContent(http.StatusServiceUnavailable)
	}
	_ = l.o.Store.DeleteValue(ctx, upstreamLogoutKey(string(sid)))
	l.upstreamEnded(ctx, string(sid))
	l.log.InfoContext(ctx, "upstream ended a session", "connector", id)
	return c.NoContent(http.StatusOK)
}
