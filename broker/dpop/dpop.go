// Package dpop checks DPoP proofs (RFC 9449): the JWT a client signs with
// its own key and sends in the DPoP header, so that a token bound to that
// key is useless to whoever copies it. It verifies one proof against the
// request it came with; binding tokens to the key (cnf.jkt) is the
// caller's job.
package dpop

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Header is the request header that carries a proof, NonceHeader the
// response header that hands out a server nonce (RFC 9449 §4.1, §8).
const (
	Header      = "DPoP"
	NonceHeader = "DPoP-Nonce"
)

// Error codes of RFC 9449 §5, §7.1 and §8.
const (
	CodeInvalidProof = "invalid_dpop_proof"
	CodeUseNonce     = "use_dpop_nonce"
)

// Algs are the proof signature algorithms accepted: asymmetric only
// (§4.2: "MUST NOT be none or an identifier for a symmetric algorithm").
var Algs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.PS256, jose.RS256, jose.EdDSA}

// AlgsValue is Algs as the space-separated list of discovery's
// dpop_signing_alg_values_supported and the WWW-Authenticate algs.
func AlgsValue() string {
	s := make([]string, len(Algs))
	for i, a := range Algs {
		s[i] = string(a)
	}
	return strings.Join(s, " ")
}

var (
	// ErrInvalidProof: the proof is missing, malformed, signed wrongly, for
	// another request, too old, replayed, or for another token.
	ErrInvalidProof = errors.New("invalid DPoP proof")
	// ErrUseNonce: the server requires a nonce it issued and the proof
	// carried none or a stale one; the client retries with the nonce of
	// the DPoP-Nonce response header.
	ErrUseNonce = errors.New("DPoP nonce required")
)

// ReplayGuard claims key for ttl: true the first time, false when the key
// is taken, or a store error. Every instance must share it (the store).
type ReplayGuard func(ctx context.Context, key string, ttl time.Duration) (first bool, err error)

// Verifier checks proofs. The zero value is not usable: Replay is
// required.
type Verifier struct {
	// Replay remembers proof IDs (jti) for as long as a proof is accepted.
	Replay ReplayGuard
	// Nonces, when set, issues and checks server nonces (§8).
	Nonces *Nonces
	// RequireNonce makes a proof without a valid server nonce fail with
	// ErrUseNonce.
	RequireNonce bool
	// MaxAge is how old a proof's iat may be (default 60 s); Skew how far
	// in the future (default 10 s, clock differences).
	MaxAge, Skew time.Duration
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
}

// Request is what a proof must match.
type Request struct {
	Method string // htm
	URL    string // htu: scheme, host and path the server is reached at
	// AccessToken is the token presented with the proof at a resource
	// (then ath must be its hash); "" at the token endpoint.
	AccessToken string
}

// Proof is a verified proof.
type Proof struct {
	// JKT is the RFC 7638 SHA-256 thumbprint of the proof's key,
	// base64url: the value of a bound token's cnf.jkt.
	JKT string
	ID  string // jti
}

// claims are the proof's payload (§4.2).
type claims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   *int64 `json:"iat"`
	ATH   string `json:"ath"`
	Nonce string `json:"nonce"`
}

// Verify checks the request's DPoP header values (there must be exactly
// one, §4.3 check 1) against req. Failures wrap ErrInvalidProof or
// ErrUseNonce; a replay-cache failure is returned as it is (the caller
// answers 503: a store outage is not a bad proof).
func (v *Verifier) Verify(ctx context.Context, headers []string, req Request) (*Proof, error) {
	p, err := v.check(headers, req)
	if err != nil {
		return nil, err
	}
	if err := v.claim(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// check is everything the proof itself and the request can tell; claim,
// which needs the store, comes after it.
func (v *Verifier) check(headers []string, req Request) (*Proof, error) {
	if len(headers) != 1 {
		return nil, fmt.Errorf("%w: want exactly one DPoP header, got %d", ErrInvalidProof, len(headers))
	}
	jws, err := jose.ParseSignedCompact(headers[0], Algs)
	if err != nil {
		return nil, fmt.Errorf("%w: not a JWS with an asymmetric algorithm: %w", ErrInvalidProof, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("%w: want one signature", ErrInvalidProof)
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" {
		return nil, fmt.Errorf("%w: typ is %q, want dpop+jwt", ErrInvalidProof, typ)
	}
	jwk := h.JSONWebKey
	if jwk == nil || !jwk.Valid() {
		return nil, fmt.Errorf("%w: no public key in the jwk header", ErrInvalidProof)
	}
	if !jwk.IsPublic() {
		return nil, fmt.Errorf("%w: the jwk header holds a private key", ErrInvalidProof)
	}
	payload, err := jws.Verify(jwk)
	if err != nil {
		return nil, fmt.Errorf("%w: signature does not verify with its jwk: %w", ErrInvalidProof, err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrInvalidProof, err)
	}
	if err := v.checkClaims(&c, req); err != nil {
		return nil, err
	}
	tp, err := jwk.Thumbprint(cryptoSHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: thumbprint: %w", ErrInvalidProof, err)
	}
	return &Proof{JKT: base64.RawURLEncoding.EncodeToString(tp), ID: c.JTI}, nil
}

// claim records the proof's jti in the replay cache (§11.1: a proof is
// single use): ErrInvalidProof when it was used before, a store error as
// it is. The key holds the key thumbprint so two clients cannot collide
// on a jti, and is hashed to bound its length.
func (v *Verifier) claim(ctx context.Context, p *Proof) error {
	sum := sha256.Sum256([]byte(p.JKT + "\x00" + p.ID))
	first, err := v.Replay(ctx, "dpop:"+base64.RawURLEncoding.EncodeToString(sum[:]), v.maxAge()+v.skew())
	if err != nil {
		return fmt.Errorf("dpop: replay cache: %w", err)
	}
	if !first {
		return fmt.Errorf("%w: proof already used (jti replayed)", ErrInvalidProof)
	}
	return nil
}

func (v *Verifier) checkClaims(c *claims, req Request) error {
	switch {
	case c.JTI == "" || len(c.JTI) > 256:
		return fmt.Errorf("%w: jti missing or too long", ErrInvalidProof)
	case c.HTM != req.Method:
		return fmt.Errorf("%w: htm %q is not the request's method %s", ErrInvalidProof, c.HTM, req.Method)
	case !sameURI(c.HTU, req.URL):
		return fmt.Errorf("%w: htu %q is not %s", ErrInvalidProof, c.HTU, req.URL)
	case c.IAT == nil:
		return fmt.Errorf("%w: iat missing", ErrInvalidProof)
	}
	now := v.now()
	iat := time.Unix(*c.IAT, 0)
	if iat.Before(now.Add(-v.maxAge())) || iat.After(now.Add(v.skew())) {
		return fmt.Errorf("%w: iat %s is outside the accepted window", ErrInvalidProof, iat.UTC().Format(time.RFC3339))
	}
	if req.AccessToken != "" {
		sum := sha256.Sum256([]byte(req.AccessToken))
		if c.ATH != base64.RawURLEncoding.EncodeToString(sum[:]) {
			return fmt.Errorf("%w: ath does not match the access token", ErrInvalidProof)
		}
	}
	if v.Nonces != nil && (v.RequireNonce || c.Nonce != "") && !v.Nonces.Valid(c.Nonce, now) {
		// A stale nonce is answered like a missing one: the client takes
		// the fresh one from the response and retries (§8).
		return fmt.Errorf("%w: the proof's nonce is missing or stale", ErrUseNonce)
	}
	return nil
}

// sameURI compares htu with the request URI without query and fragment
// (§4.3 check 9), scheme and host case-insensitively (RFC 3986 §6.2.2.1).
func sameURI(htu, want string) bool {
	a, err1 := url.Parse(htu)
	b, err2 := url.Parse(want)
	if err1 != nil || err2 != nil || a.Host == "" {
		return false
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host) && a.EscapedPath() == b.EscapedPath()
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxAge() time.Duration {
	if v.MaxAge > 0 {
		return v.MaxAge
	}
	return 60 * time.Second
}

func (v *Verifier) skew() time.Duration {
	if v.Skew > 0 {
		return v.Skew
	}
	return 10 * time.Second
}

// Thumbprint is the RFC 7638 thumbprint of a public key as cnf.jkt holds
// it (for clients and tests that make proofs).
func Thumbprint(k *jose.JSONWebKey) (string, error) {
	tp, err := k.Thumbprint(cryptoSHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// ATH is the ath claim for an access token: base64url(SHA-256(token)).
func ATH(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
