package dpop

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// memReplay is a replay cache over a map, the store's AddValue semantics.
type memReplay struct {
	mu   sync.Mutex
	seen map[string]bool
	err  error
}

func (m *memReplay) guard(_ context.Context, key string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	if m.seen[key] {
		return false, nil
	}
	m.seen[key] = true
	return true, nil
}

func newProver(t *testing.T) *Prover {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewProver(k, jose.ES256)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const tokenURL = "https://gjj.example/oauth/token"

func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	p := newProver(t)
	nonces := NewNonces([]byte("secret"), time.Minute)
	sign := func(c ProofClaims) string {
		if c.IAT == 0 {
			c.IAT = now.Unix()
		}
		s, err := p.Make(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := ProofClaims{HTM: "POST", HTU: tokenURL}
	with := func(f func(*ProofClaims)) ProofClaims { c := good; f(&c); return c }
	hs256 := func() string {
		s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, (&jose.SignerOptions{}).WithType("dpop+jwt"))
		jws, _ := s.Sign([]byte(`{"jti":"x","htm":"POST","htu":"` + tokenURL + `","iat":1800000000}`))
		c, _ := jws.CompactSerialize()
		return c
	}
	noTyp := func() string {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, &jose.SignerOptions{EmbedJWK: true})
		jws, _ := s.Sign([]byte(`{"jti":"x","htm":"POST","htu":"` + tokenURL + `","iat":1800000000}`))
		c, _ := jws.CompactSerialize()
		return c
	}
	privateJWK := func() string {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		priv := jose.JSONWebKey{Key: k}
		s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, (&jose.SignerOptions{ExtraHeaders: map[jose.HeaderKey]any{"jwk": priv}}).WithType("dpop+jwt"))
		jws, _ := s.Sign([]byte(`{"jti":"x","htm":"POST","htu":"` + tokenURL + `","iat":1800000000}`))
		c, _ := jws.CompactSerialize()
		return c
	}
	// The same signed proof in the JWS JSON serialization: a DPoP proof is
	// a JWT (RFC 9449 §4.2), so only the compact form counts.
	jsonSerialized := func(compact string) string {
		jws, err := jose.ParseSignedCompact(compact, Algs)
		if err != nil {
			t.Fatal(err)
		}
		return jws.FullSerialize()
	}
	for _, tc := range []struct {
		name    string
		headers []string
		req     Request
		nonce   bool // RequireNonce
		want    error
	}{
		{"good", []string{sign(good)}, Request{Method: "POST", URL: tokenURL}, false, nil},
		{"htu with query and fragment ignored", []string{sign(with(func(c *ProofClaims) { c.HTU = "HTTPS://GJJ.example/oauth/token?x=1#f" }))}, Request{Method: "POST", URL: tokenURL}, false, nil},
		{"no header", nil, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"two headers", []string{sign(good), sign(good)}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"not a JWT", []string{"abc"}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"JWS JSON serialization", []string{jsonSerialized(sign(good))}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"symmetric alg", []string{hs256()}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"typ not dpop+jwt", []string{noTyp()}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"private key in jwk", []string{privateJWK()}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"wrong htm", []string{sign(with(func(c *ProofClaims) { c.HTM = "GET" }))}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"wrong htu path", []string{sign(with(func(c *ProofClaims) { c.HTU = "https://gjj.example/userinfo" }))}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"wrong htu host", []string{sign(with(func(c *ProofClaims) { c.HTU = "https://evil.example/oauth/token" }))}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"iat too old", []string{sign(with(func(c *ProofClaims) { c.IAT = now.Add(-61 * time.Second).Unix() }))}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"iat in the future", []string{sign(with(func(c *ProofClaims) { c.IAT = now.Add(11 * time.Second).Unix() }))}, Request{Method: "POST", URL: tokenURL}, false, ErrInvalidProof},
		{"ath missing at a resource", []string{sign(good)}, Request{Method: "POST", URL: tokenURL, AccessToken: "at"}, false, ErrInvalidProof},
		{"ath of another token", []string{sign(with(func(c *ProofClaims) { c.ATH = ATH("other") }))}, Request{Method: "POST", URL: tokenURL, AccessToken: "at"}, false, ErrInvalidProof},
		{"ath right", []string{sign(with(func(c *ProofClaims) { c.ATH = ATH("at") }))}, Request{Method: "POST", URL: tokenURL, AccessToken: "at"}, false, nil},
		{"nonce required, none", []string{sign(good)}, Request{Method: "POST", URL: tokenURL}, true, ErrUseNonce},
		{"nonce required, stale", []string{sign(with(func(c *ProofClaims) { c.Nonce = nonces.Issue(now.Add(-3 * time.Minute)) }))}, Request{Method: "POST", URL: tokenURL}, true, ErrUseNonce},
		{"nonce required, forged", []string{sign(with(func(c *ProofClaims) { c.Nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }))}, Request{Method: "POST", URL: tokenURL}, true, ErrUseNonce},
		{"nonce required, current", []string{sign(with(func(c *ProofClaims) { c.Nonce = nonces.Issue(now) }))}, Request{Method: "POST", URL: tokenURL}, true, nil},
		{"nonce required, previous slot", []string{sign(with(func(c *ProofClaims) { c.Nonce = nonces.Issue(now.Add(-time.Minute)) }))}, Request{Method: "POST", URL: tokenURL}, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &memReplay{seen: map[string]bool{}}
			v := &Verifier{Replay: r.guard, Nonces: nonces, RequireNonce: tc.nonce, Now: func() time.Time { return now }}
			got, err := v.Verify(context.Background(), tc.headers, tc.req)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if err == nil && got.JKT != p.JKT {
				t.Fatalf("JKT = %s, want the prover's %s", got.JKT, p.JKT)
			}
		})
	}
}

func TestVerifyReplayedProofRefused(t *testing.T) {
	t.Parallel()
	p := newProver(t)
	r := &memReplay{seen: map[string]bool{}}
	v := &Verifier{Replay: r.guard}
	proof, err := p.Proof("POST", tokenURL, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), []string{proof}, Request{Method: "POST", URL: tokenURL}); err != nil {
		t.Fatalf("first use: %v", err)
	}
	_, err = v.Verify(context.Background(), []string{proof}, Request{Method: "POST", URL: tokenURL})
	if !errors.Is(err, ErrInvalidProof) || !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("second use = %v, want a replay refusal", err)
	}
}

func TestVerifyStoreFailureIsNotABadProof(t *testing.T) {
	t.Parallel()
	p := newProver(t)
	outage := errors.New("store unreachable")
	v := &Verifier{Replay: (&memReplay{err: outage}).guard}
	proof, _ := p.Proof("POST", tokenURL, "", "")
	_, err := v.Verify(context.Background(), []string{proof}, Request{Method: "POST", URL: tokenURL})
	if !errors.Is(err, outage) || errors.Is(err, ErrInvalidProof) {
		t.Fatalf("Verify = %v, want the store error and not ErrInvalidProof", err)
	}
}

// TestThumbprintRFC7638 checks the thumbprint against RFC 7638 §3.1's
// worked example.
func TestThumbprintRFC7638(t *testing.T) {
	t.Parallel()
	const jwk = `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON([]byte(jwk)); err != nil {
		t.Fatal(err)
	}
	got, err := Thumbprint(&k)
	if err != nil || got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("Thumbprint = %q, %v", got, err)
	}
}

func TestNoncesIndependentOfSecret(t *testing.T) {
	t.Parallel()
	now := time.Now()
	a, b := NewNonces([]byte("one"), 0), NewNonces([]byte("two"), 0)
	if b.Valid(a.Issue(now), now) {
		t.Fatal("a nonce of another secret was accepted")
	}
}
