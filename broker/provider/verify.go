package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
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
}

// HasScope reports whether the token was granted scope.
func (t *AccessToken) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// ErrInvalidToken: the token is malformed, not signed by the broker's
// keys, expired, for another issuer, or revoked. Callers answer 401
// invalid_token (RFC 6750 §3.1).
var ErrInvalidToken = errors.New("invalid access token")

// VerifyAccessToken checks a bearer token for the broker's own APIs (admin,
// unit self-service, the app): signature by a published key, issuer,
// expiry, and the revocation denylist. A store failure is returned as it
// is (the caller answers 503), not as ErrInvalidToken.
func (p *Provider) VerifyAccessToken(ctx context.Context, raw string) (*AccessToken, error) {
	vctx := op.ContextWithIssuer(ctx, p.opts.Issuer)
	c, err := op.VerifyAccessToken[*tokenClaims](vctx, raw, p.op.AccessTokenVerifier(vctx))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.JWTID == "" || c.Subject == "" {
		return nil, fmt.Errorf("%w: no jti or sub", ErrInvalidToken)
	}
	revoked, err := p.storage.accessTokenRevoked(ctx, c.JWTID, c.Subject)
	if err != nil {
		return nil, fmt.Errorf("provider: verify access token: %w", err)
	}
	if revoked {
		return nil, fmt.Errorf("%w: revoked", ErrInvalidToken)
	}
	return &AccessToken{
		JTI: c.JWTID, Subject: c.Subject, ClientID: c.ClientID, Scopes: strings.Fields(c.Scope),
		UnitID: c.UnitID, IDP: c.IDP, ACR: c.ACR, AMR: c.AMR,
		IssuedAt: c.IssuedAt.AsTime(), Expiry: c.Expiration.AsTime(),
	}, nil
}
