package provider

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"
)

// AccessToken is a verified access token the broker issued.
type AccessToken struct {
	JTI      string
	Subject  string
	ClientID string
	Scopes   []string
	UnitID   string
	IDP      string
	ACR      string
	AMR      []string
	IssuedAt time.Time
	Expiry   time.Time
	// JKT is the DPoP key the token is bound to (cnf.jkt), "" for a
	// bearer token.
	JKT string
}

// HasScope reports whether the token was granted scope.
func (t *AccessToken) HasScope(scope string) bool { return slices.Contains(t.Scopes, scope) }

// ErrInvalidToken: the token is malformed, not signed by the broker's
// keys, expired, for another issuer, or revoked. Callers answer 401
// invalid_token (RFC 6750 §3.1).
var ErrInvalidToken = errors.New("invalid access token")

// VerifyAccessToken checks a bearer token for the broker's own APIs with
// the provider's TokenVerifier.
func (p *Provider) VerifyAccessToken(ctx context.Context, raw string) (*AccessToken, error) {
	return p.tokens.Verify(ctx, raw)
}

// VerifyRequestToken checks the Bearer or DPoP access token of r
// (TokenVerifier.VerifyRequest).
func (p *Provider) VerifyRequestToken(ctx context.Context, r *http.Request) (*AccessToken, error) {
	return p.tokens.VerifyRequest(ctx, r)
}
