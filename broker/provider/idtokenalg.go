package provider

import (
	"context"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// IDTokenAlgorithms are the algorithms a client may ask its ID tokens to
// be signed with (id_token_signed_response_alg): RS256, which OpenID
// Connect Core §15.1 requires every OP to support, and ES256. The broker
// keeps a key chain for each beside its default; access tokens are always
// signed with the default key.
var IDTokenAlgorithms = []jose.SignatureAlgorithm{jose.ES256, jose.RS256}

// The library asks the storage for "the" signing key, with nothing but the
// request's context, both for a JWT access token and for the ID token of
// the same response. tokenSigning, put into the context of every token
// request, tells them apart: the storage notes the client when the library
// asks it to create the tokens, and marks the access token when the library
// asks for its claims, which it does just before signing it. Any other
// signing in that request is the ID token's.
type tokenSigning struct {
	clientID    string
	accessToken bool // the next SigningKey call signs an access token
}

type tokenSigningKey struct{}

func withTokenSigning(ctx context.Context) context.Context {
	return context.WithValue(ctx, tokenSigningKey{}, &tokenSigning{})
}

func tokenSigningFrom(ctx context.Context) *tokenSigning {
	t, _ := ctx.Value(tokenSigningKey{}).(*tokenSigning)
	return t
}

// noteTokenClient records whose tokens this request issues.
func noteTokenClient(ctx context.Context, clientID string) {
	if t := tokenSigningFrom(ctx); t != nil {
		t.clientID = clientID
	}
}

// noteAccessTokenSigning records that the next signing is an access token's.
func noteAccessTokenSigning(ctx context.Context) {
	if t := tokenSigningFrom(ctx); t != nil {
		t.accessToken = true
	}
}

// idTokenAlgorithm is the algorithm the signing about to happen must use
// when it is an ID token for a client that registered one; "" for the
// default key.
func (s *storage) idTokenAlgorithm(ctx context.Context) (jose.SignatureAlgorithm, error) {
	t := tokenSigningFrom(ctx)
	if t == nil || t.clientID == "" {
		return "", nil
	}
	if t.accessToken {
		t.accessToken = false
		return "", nil
	}
	c, err := s.clients.Client(ctx, t.clientID)
	if err != nil {
		return "", s.fail(ctx, "load client", err)
	}
	return jose.SignatureAlgorithm(c.IDTokenSignedResponseAlg), nil
}

// idTokenKey is the active key of alg, for an ID token.
func (s *storage) idTokenKey(alg jose.SignatureAlgorithm) (signingKey, error) {
	kid, key := s.keys.SigningKeyFor(alg)
	if key == nil {
		// Only in the minutes after a new chain joined the key set,
		// before every instance has loaded it (keys.Options.Also).
		return signingKey{}, oidc.ErrServerError().WithDescription("no %s signing key is active yet; try again in a few minutes", alg)
	}
	return signingKey{kid: kid, alg: alg, key: key}, nil
}

// noteRequestClient notes the client of a token request the library hands
// the storage before it signs anything.
func noteRequestClient(ctx context.Context, req op.TokenRequest) {
	if r, ok := req.(interface{ GetClientID() string }); ok {
		noteTokenClient(ctx, r.GetClientID())
	}
}
