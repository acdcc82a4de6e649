package provider

import (
	"context"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/logout"
	"github.com/gjjid/gjjid/broker/store"
)

// Logout is what the provider tells of logins and logouts so that relying
// parties hear of a session's end (logout.Service implements it).
type Logout interface {
	// Participated records that a client received tokens for a login.
	Participated(ctx context.Context, p store.LogoutParticipant)
	// BrowserLogout is told of the SSO session end_session ended and
	// where the browser goes next; it answers where the browser goes
	// instead (the logged-out page with front-channel frames) or next.
	BrowserLogout(ctx context.Context, sessionID, next string) string
}

// ClaimSID is the ID token claim naming the SSO session (OpenID Connect
// Front-Channel Logout 1.0 §3, Back-Channel Logout 1.0 §2.1).
const ClaimSID = "sid"

// sessionOf is the SSO session (hashed ID) a token request belongs to:
// the login's for the code flow, the grant's on refresh; "" otherwise.
func sessionOf(req op.TokenRequest) string {
	switch r := req.(type) {
	case authRequest:
		if r.r.Auth != nil {
			return r.r.Auth.SessionID
		}
	case *refreshRequest:
		return r.rt.SessionID
	}
	return ""
}

// participated tells Options.Logout which client received tokens for
// which login: code exchanges, refreshes (which keep the record alive as
// long as the grant is used) and token exchanges (logins without a
// browser session, reached through their subject).
func (s *storage) participated(ctx context.Context, req op.TokenRequest) {
	if s.opts.Logout == nil {
		return
	}
	var p store.LogoutParticipant
	switch r := req.(type) {
	case authRequest:
		if r.r.Auth == nil {
			return
		}
		p = store.LogoutParticipant{SessionID: r.r.Auth.SessionID, Subject: r.r.Auth.Subject, UnitID: r.r.Auth.UnitID, ClientID: r.r.ClientID}
	case *refreshRequest:
		p = store.LogoutParticipant{SessionID: r.rt.SessionID, Subject: r.rt.Subject, UnitID: r.rt.UnitID, ClientID: r.rt.ClientID}
	case *exchangeRequest:
		p = store.LogoutParticipant{Subject: r.subject, UnitID: r.unitID, ClientID: r.clientID}
	default:
		return // client credentials: no user, nothing to log out
	}
	s.opts.Logout.Participated(ctx, p)
}

// sidClaim is the sid of the request's SSO session, or "".
func sidClaim(req op.TokenRequest) string { return logout.SID(sessionOf(req)) }

// browserLogout hands the ended session to Options.Logout.
func (s *storage) browserLogout(ctx context.Context, sessionID, next string) string {
	if s.opts.Logout == nil {
		return next
	}
	return s.opts.Logout.BrowserLogout(ctx, sessionID, next)
}
