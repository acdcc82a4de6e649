package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/broker/store"
)

// TokenVerifier checks the broker's own access tokens for its own APIs
// (admin, unit self-service, the app's QR API): signature by a published
// key, issuer, expiry, and the revocation denylist. It needs only the
// issuer, the keys and the denylist, so the broker builds it before the
// connectors and the provider, and both use it.
type TokenVerifier struct {
	v      *op.AccessTokenVerifier
	st     store.Revocations
	issuer string
	dpop   *dpop.Verifier
}

// NewTokenVerifier builds the verifier over the published keys.
func NewTokenVerifier(issuer string, keys KeySource, st store.Revocations) *TokenVerifier {
	return &TokenVerifier{
		v:  op.NewAccessTokenVerifier(issuer, publishedKeys{keys}, op.WithSupportedAccessTokenSigningAlgorithms("ES256", "RS256", "EdDSA")),
		st: st, issuer: strings.TrimSuffix(issuer, "/"),
	}
}

// WithDPoP lets the verifier accept DPoP-bound tokens with their proofs
// (VerifyRequest); without it they are refused. Server nonces are the
// token endpoint's (RFC 9449 §8): at the broker's resources a proof's
// nonce is neither required nor checked.
func (tv *TokenVerifier) WithDPoP(v *dpop.Verifier) *TokenVerifier {
	if v != nil {
		r := *v
		r.Nonces, r.RequireNonce = nil, false
		tv.dpop = &r
	}
	return tv
}

// Verify checks raw presented as a bearer token. A token that fails a
// check is ErrInvalidToken — a DPoP-bound one too: without its proof it
// is refused (RFC 9449 §7.2). A store failure is returned as it is (the
// caller answers 503), never as ErrInvalidToken.
func (tv *TokenVerifier) Verify(ctx context.Context, raw string) (*AccessToken, error) {
	t, err := tv.verify(ctx, raw)
	if err == nil && t.JKT != "" {
		return nil, fmt.Errorf("%w: a DPoP-bound token presented as a bearer token", ErrInvalidToken)
	}
	return t, err
}

// ErrNoToken: the request carried no access token (RFC 6750 §3.1: a bare
// challenge, no error code).
var ErrNoToken = errors.New("no access token")

// VerifyRequest checks the access token of r: `Authorization: Bearer`
// (refused when the token is DPoP-bound) or `Authorization: DPoP` with
// the request's DPoP proof (RFC 9449 §7), whose htu must be the broker's
// URL of r's path. Failures wrap ErrNoToken, ErrInvalidToken,
// dpop.ErrInvalidProof or dpop.ErrUseNonce; anything else is a store
// failure.
func (tv *TokenVerifier) VerifyRequest(ctx context.Context, r *http.Request) (*AccessToken, error) {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	raw = strings.TrimSpace(raw)
	switch {
	case !ok || raw == "":
		return nil, ErrNoToken
	case strings.EqualFold(scheme, "Bearer"):
		return tv.Verify(ctx, raw)
	case !strings.EqualFold(scheme, DPoPScheme) || tv.dpop == nil:
		return nil, ErrNoToken
	}
	t, err := tv.verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if t.JKT == "" {
		return nil, fmt.Errorf("%w: the token is not DPoP-bound; present it as a bearer token", ErrInvalidToken)
	}
	proof, err := tv.dpop.Verify(ctx, r.Header.Values(dpop.Header), dpop.Request{Method: r.Method, URL: tv.issuer + r.URL.Path, AccessToken: raw})
	if err != nil {
		return nil, err
	}
	if proof.JKT != t.JKT {
		return nil, fmt.Errorf("%w: the proof is signed by another key than the token is bound to", dpop.ErrInvalidProof)
	}
	return t, nil
}

func (tv *TokenVerifier) verify(ctx context.Context, raw string) (*AccessToken, error) {
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
		IssuedAt: c.IssuedAt.AsTime(), Expiry: c.Expiration.AsTime(), JKT: c.CNF.JKT,
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
