package provider

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
)

// storage is the op.Storage adapter: it translates between the library's
// callbacks and the broker's store, keys and directory. It is the only type
// that knows both sides.
type storage struct {
	st      store.Store
	keys    KeySource
	dir     Directory
	clients *ClientCache
	opts    Options
	log     *slog.Logger
	refresh refreshMAC // mints and checks refresh tokens (tokenid.go)
}

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
	_ op.CanTerminateSessionFromRequest = (*storage)(nil)
)

// fail wraps a store error for the library. Unreachable stores are marked so
// the interceptor answers 503 instead of the library's 500.
func (s *storage) fail(ctx context.Context, what string, err error) error {
	if errors.Is(err, store.ErrUnavailable) {
		markFault(ctx)
		return oidc.ErrServerError().WithDescription("the session store is unreachable").WithParent(err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ---- auth requests and codes ----

func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, hintSubject string) (op.AuthRequest, error) {
	if !slices.Contains(req.Scopes, oidc.ScopeOpenID) {
		return nil, oidc.ErrInvalidScope().WithDescription("scope must include openid")
	}
	if req.ResponseMode != "" && req.ResponseMode != oidc.ResponseModeQuery {
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_mode=query is supported")
	}
	// PKCE: S256 only (RFC 9700 §2.1.1); required for public clients and,
	// unless the client opted out, for everyone.
	switch {
	case req.CodeChallengeMethod == oidc.CodeChallengeMethodPlain:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method plain is not allowed; use S256")
	case req.CodeChallenge == "":
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	case req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if err := s.requirePushed(ctx, req.ClientID); err != nil {
		return nil, err
	}
	b := BrowserFrom(ctx)
	r := &store.AuthRequest{
		ID:                  secrets.NewID(),
		ClientID:            req.ClientID,
		RedirectURI:         req.RedirectURI,
		State:               req.State,
		Nonce:               req.Nonce,
		Scopes:              req.Scopes,
		ResponseType:        string(req.ResponseType),
		ResponseMode:        string(req.ResponseMode),
		CodeChallenge:       req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod),
		Prompt:              req.Prompt,
		ACRValues:           req.ACRValues,
		LoginHint:           req.LoginHint,
		IDPHint:             idpHintFrom(ctx),
		DPoPJKT:             dpopJKTParam(ctx),
		BrowserID:           b.ID,
		CreatedAt:           s.opts.now(),
	}
	for _, t := range req.UILocales {
		r.UILocales = append(r.UILocales, t.String())
	}
	if req.MaxAge != nil {
		ma := int64(*req.MaxAge)
		r.MaxAge = &ma
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		answer, err := s.opts.Login.Silent(ctx, r, b.SessionID, hintSubject)
		if err != nil {
			return nil, s.fail(ctx, "check session", err)
		}
		switch answer {
		case LoginRequired:
			return nil, oidc.ErrLoginRequired().WithDescription("no session satisfies this request")
		case ChooseAccount:
			// OIDC Core §3.1.2.6: the person acts for several units and
			// must choose one.
			return nil, (&oidc.Error{ErrorType: "account_selection_required"}).WithDescription("choose the unit to act for")
		}
	}
	if err := s.st.CreateAuthRequest(ctx, r, s.opts.AuthRequestLifetime); err != nil {
		return nil, s.fail(ctx, "save auth request", err)
	}
	return authRequest{r}, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.st.GetAuthRequest(ctx, id)
	if err != nil {
		return nil, s.fail(ctx, "load auth request", err)
	}
	return authRequest{r}, nil
}

// AuthRequestByCode consumes the code: the library calls it before client
// authentication, and it is the only place single use can be enforced
// atomically. RFC 6749 §4.1.2 / RFC 9700 §4.2.4: a replayed code revokes
// every token it issued.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	id, err := s.st.ConsumeCode(ctx, secrets.Hash(code), s.opts.maxTokenLifetime())
	if errors.Is(err, store.ErrCodeReplayed) {
		until := s.opts.now().Add(s.opts.maxTokenLifetime())
		if rerr := s.st.RevokeGrant(ctx, id, until); rerr != nil {
			s.log.ErrorContext(ctx, "revoke grant after code replay", "grant", id, "err", rerr)
		}
		s.log.WarnContext(ctx, "authorization code replayed; grant revoked", "grant", id)
		s.revoked(ctx, Revocation{Reason: RevokedCodeReplay, Grant: id})
		return nil, oidc.ErrInvalidGrant().WithDescription("authorization code already used")
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, oidc.ErrInvalidGrant().WithDescription("authorization code invalid or expired")
		}
		return nil, s.fail(ctx, "consume code", err)
	}
	r, err := s.st.GetAuthRequest(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, oidc.ErrInvalidGrant().WithDescription("authorization code expired")
		}
		return nil, s.fail(ctx, "load auth request", err)
	}
	if r.Auth == nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("authorization code invalid")
	}
	if err := checkCodeBinding(ctx, r); err != nil {
		return nil, err
	}
	return authRequest{r}, nil
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	if err := s.st.SaveCode(ctx, secrets.Hash(code), id, s.opts.CodeLifetime); err != nil {
		return s.fail(ctx, "save code", err)
	}
	return nil
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	if err := s.st.DeleteAuthRequest(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return s.fail(ctx, "delete auth request", err)
	}
	return nil
}

// ---- clients ----

func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.client(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			// invalid_client, not a plain error: on refresh the library
			// passes this error through, and a deleted client must get
			// RFC 6749's answer, not server_error.
			return nil, oidc.ErrInvalidClient().WithDescription("unknown client").WithParent(fmt.Errorf("unknown client %q", id))
		}
		return nil, s.fail(ctx, "load client", err)
	}
	return c, nil
}

// AuthorizeClientIDSecret compares SHA-256 hashes in constant time. Client
// secrets are machine-generated with ≥256 bits, so a slow hash buys nothing
// and would cost tens of milliseconds per token request.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	if assertedSecret(ctx, id, secret) {
		return nil // a private_key_jwt assertion of id, verified (clientassertion.go)
	}
	c, err := s.client(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errors.New("invalid client credentials")
		}
		return s.fail(ctx, "load client", err)
	}
	if c.c.SecretHash == "" || subtle.ConstantTimeCompare([]byte(secrets.Hash(secret)), []byte(c.c.SecretHash)) != 1 {
		return errors.New("invalid client credentials")
	}
	return nil
}

func (s *storage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	if err := s.AuthorizeClientIDSecret(ctx, id, secret); err != nil {
		return nil, err
	}
	return s.client(ctx, id)
}

// ClientCredentialsTokenRequest narrows the requested scopes to those the
// client was granted (the library passes them unfiltered).
func (s *storage) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c, err := s.client(ctx, id)
	if err != nil {
		return nil, s.fail(ctx, "load client", err)
	}
	if !slices.Contains(c.c.GrantTypes, string(oidc.GrantTypeClientCredentials)) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("client_credentials is not allowed for this client")
	}
	granted := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if slices.Contains(c.c.Scopes, sc) {
			granted = append(granted, sc)
		} else {
			return nil, oidc.ErrInvalidScope().WithDescription("scope %s is not granted to this client", sc)
		}
	}
	return serviceRequest{clientID: id, scopes: granted}, nil
}

// ---- keys ----

// SigningKey is the default key, except for the ID token of a client that
// registered id_token_signed_response_alg (idtokenalg.go).
func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	if alg, err := s.idTokenAlgorithm(ctx); err != nil {
		return nil, err
	} else if alg != "" {
		return s.idTokenKey(alg)
	}
	kid, alg, key := s.keys.SigningKey()
	if key == nil {
		return nil, oidc.ErrServerError().WithDescription("no active signing key")
	}
	return signingKey{kid: kid, alg: alg, key: key}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	var algs []jose.SignatureAlgorithm
	for _, k := range s.keys.PublicKeys() {
		if !slices.Contains(algs, k.Alg) {
			algs = append(algs, k.Alg)
		}
	}
	return algs, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	pub := s.keys.PublicKeys()
	out := make([]op.Key, len(pub))
	for i, k := range pub {
		out[i] = publicKey{k}
	}
	return out, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt and JWT-profile grants are not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT-profile grant is not supported")
}

func (s *storage) Health(ctx context.Context) error { return s.st.Ping(ctx) }

type signingKey struct {
	kid string
	alg jose.SignatureAlgorithm
	key any
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.kid }

type publicKey struct{ k PublicKey }

func (p publicKey) ID() string                         { return p.k.KID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.Alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.Key }

// client is the registered client as the library sees it, read through the
// client cache.
func (s *storage) client(ctx context.Context, id string) (*client, error) {
	rec, err := s.clients.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	return &client{c: rec, loginURL: s.opts.Login.URL, idTTL: s.opts.IDTokenLifetime}, nil
}
