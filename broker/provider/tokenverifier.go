package provider

import (
	"context"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/store"
)

// TokenVerifier checks the broker's own access tokens for its own APIs
// (admin, unit self-service, the app's QR API): signature by a published
// key, issuer, expiry, and the revocation denylist. It needs only the
// issuer, the keys and the denylist, so the broker builds it before the
// connectors and the provider, and both use it.
type TokenVerifier struct {
	v  *op.AccessTokenVerifier
	st store.Revocations
}

// NewTokenVerifier builds the verifier over the published keys.
func NewTokenVerifier(issuer string, keys KeySource, st store.Revocations) *TokenVerifier {
	return &TokenVerifier{
		v:  op.NewAccessTokenVerifier(issuer, publishedKeys{keys}, op.WithSupportedAccessTokenSigningAlgorithms("ES256", "RS256", "EdDSA")),
		st: st,
	}
}

// Verify checks raw. A token that fails a check is ErrInvalidToken; a
// store failure is returned as it is (the caller answers 503), never as
// ErrInvalidToken.
func (tv *TokenVerifier) Verify(ctx context.Context, raw string) (*AccessToken, error) {
	c, err := op.VerifyAccessToken[*tokenClaims](ctx, raw, tv.v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.JWTID == "" || c.Subject == "" {
		return nil, fmt.Errorf("%w: no jti or sub", ErrInvalidToken)
	}
	revoked, err := accessTokenRevoked(ctx, tv.st, c.JWTID, c.Subject)
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

// accessTokenRevoked consults the denylist (one store round trip); a token
// ID the broker did not make counts as revoked.
func accessTokenRevoked(ctx context.Context, st store.Revocations, jti, subject string) (bool, error) {
	grant, iat, ok := parseAccessTokenID(jti)
	if !ok {
		return true, nil
	}
	return st.AccessTokenRevoked(ctx, jti, grant, subject, iat)
}

// publishedKeys is the JWKS as the op library's key set: a signature
// verifies against the published key of its kid and alg.
type publishedKeys struct{ keys KeySource }

func (p publishedKeys) VerifySignature(_ context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	pub := p.keys.PublicKeys()
	set := make([]jose.JSONWebKey, len(pub))
	for i, k := range pub {
		set[i] = jose.JSONWebKey{KeyID: k.KID, Algorithm: string(k.Alg), Use: oidc.KeyUseSignature, Key: k.Key}
	}
	kid, alg := oidc.GetKeyIDAndAlg(jws)
	key, err := oidc.FindMatchingKey(kid, oidc.KeyUseSignature, alg, set...)
	if err != nil {
		return nil, fmt.Errorf("invalid signature: %w", err)
	}
	return jws.Verify(&key)
}
