package provider

import (
	"context"
	"errors"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

// CreateAccessToken writes nothing: the JWT is self-contained and its jti
// says which grant it belongs to, so revocation is a denylist lookup.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	noteRequestClient(ctx, req)
	s.participated(ctx, req)
	now := s.opts.now()
	lifetime, err := s.accessLifetime(ctx, req)
	if err != nil {
		return "", time.Time{}, s.fail(ctx, "load client", err)
	}
	return newAccessTokenID(grantOf(req), now), now.Add(lifetime), nil
}

// CreateAccessAndRefreshTokens starts a refresh family at the code exchange
// and rotates it on the refresh grant (compare-and-set in the store).
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	noteRequestClient(ctx, req)
	s.participated(ctx, req)
	now := s.opts.now()
	// Both lifetimes are read before anything is written: a rotation
	// whose answer then failed would leave the client holding a refresh
	// token that is already spent.
	atLifetime, err := s.accessLifetime(ctx, req)
	if err != nil {
		return "", "", time.Time{}, s.fail(ctx, "load client", err)
	}
	atExp := now.Add(atLifetime)
	switch r := req.(type) {
	case authRequest:
		a := r.r.Auth
		rtLifetime, err := s.refreshLifetime(ctx, r.r.ClientID)
		if err != nil {
			return "", "", time.Time{}, s.fail(ctx, "load client", err)
		}
		rt := &store.RefreshToken{
			FamilyID: r.r.ID, ClientID: r.r.ClientID, Subject: a.Subject,
			Scopes: r.r.Scopes, Audience: []string{r.r.ClientID}, AMR: a.AMR, ACR: a.ACR,
			AuthTime: a.AuthTime, IDP: a.IDP, UnitID: a.UnitID, SessionID: a.SessionID,
			IssuedAt: now, ExpiresAt: now.Add(rtLifetime), CertThumbprint: a.CertThumbprint, Generation: 1,
		}
		if cl, err := s.clients.Client(ctx, r.r.ClientID); err == nil {
			bindRefresh(ctx, rt, cl.AuthMethod == "none")
		}
		tok := s.refresh.mint(rt.FamilyID, rt.Generation)
		err = s.st.CreateRefreshToken(ctx, secrets.Hash(tok), rt)
		switch {
		case errors.Is(err, store.ErrRevoked):
			// A replay of this code revoked the grant while this, the
			// first, exchange was running. The exchange that consumed the
			// code still answers, but what it returns is already dead:
			// the grant mark denies the access token and the refresh
			// token was never stored.
			s.log.WarnContext(ctx, "code replayed during its exchange; tokens issued revoked", "grant", rt.FamilyID)
		case err != nil:
			return "", "", time.Time{}, s.fail(ctx, "save refresh token", err)
		}
		return newAccessTokenID(rt.FamilyID, now), tok, atExp, nil
	case *refreshRequest:
		if fapi2, err := s.isFAPI2(ctx, r.rt.ClientID); err != nil {
			return "", "", time.Time{}, s.fail(ctx, "load client", err)
		} else if fapi2 {
			return s.refreshWithoutRotation(ctx, r, now, atExp)
		}
		next := *r.rt
		next.IssuedAt = now
		// The family's absolute lifetime does not grow with rotation; its
		// generation does. r.rt is the current member (also when the
		// presented token is the one an abandoned rotation replaced), so
		// the new generation is above every member issued so far.
		next.Generation = r.rt.Generation + 1
		tok := s.refresh.mint(next.FamilyID, next.Generation)
		old := store.PresentedRefresh{Hash: secrets.Hash(r.token), Generation: r.gen}
		err = s.st.RotateRefreshToken(ctx, next.FamilyID, old, secrets.Hash(tok), &next)
		switch {
		case errors.Is(err, store.ErrRefreshReused):
			s.revokeFamilyTokens(ctx, next.FamilyID)
			s.revoked(ctx, Revocation{Reason: RevokedRefreshReuse, ClientID: next.ClientID, Subject: next.Subject, Grant: next.FamilyID})
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token already used; the grant has been revoked")
		case errors.Is(err, store.ErrRevoked), errors.Is(err, store.ErrNotFound):
			// Revoked meanwhile, also through its subject ("revoke
			// everything of this principal"), which the store checks here.
			s.revokeFamilyTokens(ctx, next.FamilyID)
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token revoked or expired")
		case errors.Is(err, store.ErrConflict):
			// Another rotation of the same token, after its request had
			// given up, reached this generation first; nothing changed, and
			// the client may present its token again (503, try again).
			markFault(ctx)
			return "", "", time.Time{}, oidc.ErrServerError().WithDescription("the refresh token was rotated concurrently; try again").WithParent(err)
		case err != nil:
			return "", "", time.Time{}, s.fail(ctx, "rotate refresh token", err)
		}
		return newAccessTokenID(next.FamilyID, now), tok, atExp, nil
	default:
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh tokens are not issued for this grant")
	}
}

// TokenRequestByRefreshToken looks the token up; presenting a rotated-out
// member revokes the family (RFC 9700 §4.14.2). A token whose MAC fails is
// invalid and never reaches the store (tokenid.go).
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	fam, gen, ok := s.refresh.parse(token)
	if !ok {
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token invalid")
	}
	rt, err := s.st.GetRefreshToken(ctx, fam, store.PresentedRefresh{Hash: secrets.Hash(token), Generation: gen})
	switch {
	case errors.Is(err, store.ErrRefreshReused):
		s.revokeFamilyTokens(ctx, fam)
		s.log.WarnContext(ctx, "refresh token reused; family revoked", "family", fam)
		s.revoked(ctx, Revocation{Reason: RevokedRefreshReuse, Grant: fam})
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token already used; the grant has been revoked")
	case errors.Is(err, store.ErrRevoked), errors.Is(err, store.ErrNotFound):
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token invalid, expired or revoked")
	case err != nil:
		return nil, s.fail(ctx, "load refresh token", err)
	}
	if !rt.ExpiresAt.After(s.opts.now()) {
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token expired")
	}
	if err := checkRefreshBinding(ctx, rt); err != nil {
		return nil, err
	}
	return &refreshRequest{rt: rt, token: token, gen: gen, scopes: rt.Scopes}, nil
}

// revokeFamilyTokens also denies the access tokens minted for the family.
func (s *storage) revokeFamilyTokens(ctx context.Context, family string) {
	if err := s.st.RevokeGrant(ctx, family, s.opts.now().Add(s.opts.maxTokenLifetime())); err != nil {
		s.log.ErrorContext(ctx, "revoke grant", "grant", family, "err", err)
	}
}

// GetRefreshTokenInfo backs /revoke: the token ID it returns is the token
// itself, which RevokeToken then parses.
func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	fam, gen, ok := s.refresh.parse(token)
	if !ok {
		return "", "", op.ErrInvalidRefreshToken
	}
	rt, err := s.st.GetRefreshToken(ctx, fam, store.PresentedRefresh{Hash: secrets.Hash(token), Generation: gen})
	if err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			markFault(ctx)
			return "", "", err
		}
		// Unknown, revoked or reused: nothing (more) to revoke.
		return "", "", op.ErrInvalidRefreshToken
	}
	if rt.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.Subject, token, nil
}

// RevokeToken (RFC 7009): refresh tokens revoke their whole grant; access
// tokens are put on the denylist until they expire. Tokens of other clients
// and unknown tokens are ignored, as §2.2 asks.
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	if fam, _, ok := s.refresh.parse(tokenOrID); ok {
		if userID == "" {
			// GetRefreshTokenInfo did not vouch for it: unknown, already
			// revoked, or another client's. Nothing to do (§2.2).
			return nil
		}
		if err := s.st.RevokeGrant(ctx, fam, s.opts.now().Add(s.opts.maxTokenLifetime())); err != nil {
			markFault(ctx)
			return oidc.ErrServerError().WithParent(err)
		}
		s.revoked(ctx, Revocation{Reason: RevokedByClient, ClientID: clientID, Subject: userID, Grant: fam})
		return nil
	}
	claims, ok := s.presentedAccessToken(ctx, tokenOrID)
	if !ok || claims.ClientID != clientID {
		return nil
	}
	if err := s.st.RevokeAccessToken(ctx, claims.JWTID, claims.Expiration.AsTime()); err != nil {
		markFault(ctx)
		return oidc.ErrServerError().WithParent(err)
	}
	s.revoked(ctx, Revocation{Reason: RevokedByClient, ClientID: clientID, Subject: claims.Subject, JTI: claims.JWTID})
	return nil
}

// revoked tells Options.OnRevoke.
func (s *storage) revoked(ctx context.Context, r Revocation) {
	if s.opts.OnRevoke != nil {
		s.opts.OnRevoke(ctx, r)
	}
}

// TerminateSessionFromRequest ends the browser's SSO session (RP-initiated
// logout) and returns where to send the browser: the validated
// post_logout_redirect_uri, or the broker's logged-out page.
func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	if sid := BrowserFrom(ctx).SessionID; sid != "" {
		if err := s.st.DeleteSession(ctx, sid); err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", s.fail(ctx, "delete session", err)
		}
		next := s.browserLogout(ctx, sid, req.RedirectURI)
		if u := s.opts.Login.UpstreamLogout(ctx, sid, next); u != "" {
			return u, nil
		}
		return next, nil
	}
	return req.RedirectURI, nil
}

func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	return nil // superseded by TerminateSessionFromRequest
}

// accessTokenRevoked consults the denylist (one store round trip).
func (s *storage) accessTokenRevoked(ctx context.Context, jti, subject string) (bool, error) {
	revoked, err := accessTokenRevoked(ctx, s.st, jti, subject)
	if err != nil {
		markFault(ctx)
	}
	return revoked, err
}

// accessLifetime is the client's access token lifetime, else the
// default. A client that cannot be loaded because the store is unreachable
// is an error (the request answers 503): the default may be longer than
// what the client was given.
func (s *storage) accessLifetime(ctx context.Context, req op.TokenRequest) (time.Duration, error) {
	var clientID string
	switch r := req.(type) {
	case authRequest:
		clientID = r.r.ClientID
	case *refreshRequest:
		clientID = r.rt.ClientID
	case serviceRequest:
		clientID = r.clientID
	case *exchangeRequest:
		clientID = r.clientID
	}
	c, err := s.client(ctx, clientID)
	switch {
	case errors.Is(err, store.ErrUnavailable):
		return 0, err
	case err == nil && c.c.AccessTokenLifetime > 0:
		return c.c.AccessTokenLifetime, nil
	}
	return s.opts.AccessTokenLifetime, nil
}

// refreshLifetime is accessLifetime for refresh tokens.
func (s *storage) refreshLifetime(ctx context.Context, clientID string) (time.Duration, error) {
	c, err := s.client(ctx, clientID)
	switch {
	case errors.Is(err, store.ErrUnavailable):
		return 0, err
	case err == nil && c.c.RefreshTokenLifetime > 0:
		return c.c.RefreshTokenLifetime, nil
	}
	return s.opts.RefreshTokenLifetime, nil
}

// grantOf names the grant an access token belongs to: the auth request (code
// flow) or refresh family; client_credentials tokens belong to none.
func grantOf(req op.TokenRequest) string {
	switch r := req.(type) {
	case authRequest:
		return r.r.ID
	case *refreshRequest:
		return r.rt.FamilyID
	}
	return ""
}

// isFAPI2 reports whether the client has the fapi2 profile.
func (s *storage) isFAPI2(ctx context.Context, clientID string) (bool, error) {
	c, err := s.clients.Client(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil && c.Profile == config.ProfileFAPI2, err
}

// refreshWithoutRotation serves a fapi2 client's refresh: FAPI 2.0
// §5.3.2.1 forbids rotation that would break a retried request, and the
// client's refresh token is already bound to its private_key_jwt
// authentication, so the broker answers with the same refresh token. The
// checks rotation made on its round trip are made here: the family is
// current (TokenRequestByRefreshToken) and its subject not revoked since
// the login.
func (s *storage) refreshWithoutRotation(ctx context.Context, r *refreshRequest, now, atExp time.Time) (string, string, time.Time, error) {
	revoked, err := s.st.AccessTokenRevoked(ctx, "", r.rt.FamilyID, r.rt.Subject, r.rt.AuthTime)
	if err != nil {
		return "", "", time.Time{}, s.fail(ctx, "check revocation", err)
	}
	if revoked {
		s.revokeFamilyTokens(ctx, r.rt.FamilyID)
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token revoked or expired")
	}
	return newAccessTokenID(r.rt.FamilyID, now), r.token, atExp, nil
}
