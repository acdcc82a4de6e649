package keys

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

var allAlgorithms = []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA}

// The method sets of zitadel/oidc's op.SigningKey and op.Key, mirrored
// here so the package need not import the library: the broker hands
// *SigningKey and *PublicKey over as they are.
var (
	_ interface {
		SignatureAlgorithm() jose.SignatureAlgorithm
		Key() any
		ID() string
	} = (*SigningKey)(nil)
	_ interface {
		ID() string
		Algorithm() jose.SignatureAlgorithm
		Use() string
		Key() any
	} = (*PublicKey)(nil)
)

func TestFirstRefreshCreatesActiveAndNext(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	m := newTestManager(t, st, clk, nil)
	now := clk.Now()

	set := st.stored(t)
	if len(set.Keys) != 2 {
		t.Fatalf("stored %d keys, want active and next", len(set.Keys))
	}
	active, next := set.Keys[0], set.Keys[1]
	if !active.ActivateAt.Equal(now) || !next.ActivateAt.Equal(now.Add(testPeriod)) {
		t.Errorf("activate_at = %s, %s; want now and now+RotationPeriod", active.ActivateAt, next.ActivateAt)
	}
	if !active.DeactivateAt.Equal(next.ActivateAt) || !next.DeactivateAt.IsZero() {
		t.Errorf("deactivate_at = %s, %s; want next's activate_at and zero", active.DeactivateAt, next.DeactivateAt)
	}
	if got := m.Active().ID(); got != active.KID {
		t.Errorf("Active().ID() = %s, want %s", got, active.KID)
	}
	assertIDs(t, "Published", publishedIDs(m), []string{active.KID, next.KID})
	if m.Version() != 1 {
		t.Errorf("Version() = %d, want 1", m.Version())
	}
	if got := m.Algorithms(); !slices.Equal(got, []jose.SignatureAlgorithm{jose.ES256}) {
		t.Errorf("Algorithms() = %v, want [ES256]", got)
	}
	for _, k := range m.Published() {
		if k.Use() != "sig" || k.Algorithm() != jose.ES256 {
			t.Errorf("key %s: use %q alg %q, want sig ES256", k.ID(), k.Use(), k.Algorithm())
		}
	}
}

func TestRefreshWritesOnlyWhenTheScheduleNeedsIt(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	m := newTestManager(t, st, clk, nil)
	for range 3 {
		clk.Advance(time.Hour)
		if err := m.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, swaps, _ := st.stats(); swaps != 1 {
		t.Errorf("%d writes, want only the initial one", swaps)
	}
	if m.Version() != 1 {
		t.Errorf("Version() = %d, want 1", m.Version())
	}
}

func TestJWKSPublishesActiveAndNextKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg      jose.SignatureAlgorithm
		kty, crv string
	}{
		{jose.ES256, "EC", "P-256"},
		{jose.RS256, "RSA", ""},
		{jose.EdDSA, "OKP", "Ed25519"},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			t.Parallel()
			m := newTestManager(t, &memStore{}, newFakeClock(), func(o *Options) { o.Algorithm = tt.alg })

			var raw struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal(m.JWKS(), &raw); err != nil {
				t.Fatalf("JWKS is not JSON: %v", err)
			}
			var kids []string
			for _, k := range raw.Keys {
				kids = append(kids, k["kid"].(string))
				if k["alg"] != string(tt.alg) || k["kty"] != tt.kty || k["use"] != "sig" {
					t.Errorf("key %v: want alg %s kty %s use sig", k, tt.alg, tt.kty)
				}
				if crv, _ := k["crv"].(string); crv != tt.crv {
					t.Errorf("key %v: crv %q, want %q", k["kid"], crv, tt.crv)
				}
				for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
					if _, ok := k[private]; ok {
						t.Errorf("key %v publishes private member %q", k["kid"], private)
					}
				}
			}
			assertIDs(t, "JWKS kids", kids, publishedIDs(m))
			if len(kids) != 2 {
				t.Fatalf("JWKS has %d keys, want active and next", len(kids))
			}

			var set jose.JSONWebKeySet
			if err := json.Unmarshal(m.JWKS(), &set); err != nil {
				t.Fatalf("go-jose cannot parse JWKS: %v", err)
			}
			for i, k := range set.Keys {
				if !k.Valid() || !k.IsPublic() || k.KeyID != kids[i] {
					t.Errorf("key %d (%s): valid %v public %v", i, k.KeyID, k.Valid(), k.IsPublic())
				}
			}
		})
	}
}

func TestActiveKeySignsTokensThePublishedKeyVerifies(t *testing.T) {
	t.Parallel()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			m := newTestManager(t, &memStore{}, newFakeClock(), func(o *Options) { o.Algorithm = alg })
			k := m.Active()
			if k.SignatureAlgorithm() != alg {
				t.Fatalf("Active() alg %s, want %s", k.SignatureAlgorithm(), alg)
			}
			token := signToken(t, k, "alice")
			if got := verifyToken(t, m, token, alg); got != "alice" {
				t.Errorf("subject %q, want alice", got)
			}
		})
	}
}

func TestAlgorithmChangeAppliesToNewKeys(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	t0 := clk.Now()
	newTestManager(t, st, clk, nil) // ES256
	m := newTestManager(t, st, clk, func(o *Options) { o.Algorithm = jose.RS256 })

	clk.Set(t0.Add(2*testPeriod - testAhead))
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	var algs []jose.SignatureAlgorithm
	for _, k := range m.Published() {
		algs = append(algs, k.Algorithm())
	}
	if want := []jose.SignatureAlgorithm{jose.ES256, jose.RS256}; !slices.Equal(algs, want) {
		t.Errorf("published algorithms %v, want %v (active ES256, new next RS256)", algs, want)
	}
	if got := m.Algorithms(); !slices.Equal(got, []jose.SignatureAlgorithm{jose.ES256, jose.RS256}) {
		t.Errorf("Algorithms() = %v", got)
	}
}

// signToken signs a JWT as the OpenID Provider library does.
func signToken(t testing.TB, k *SigningKey, subject string) string {
	t.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: k.SignatureAlgorithm(), Key: jose.JSONWebKey{Key: k.Key(), KeyID: k.ID()}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	token, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: subject}).Serialize()
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return token
}

// verifyToken verifies token against m.Published() as a relying party
// would (key chosen by kid) and returns its subject, or fails the test.
func verifyToken(t testing.TB, m *Manager, token string, alg jose.SignatureAlgorithm) string {
	t.Helper()
	subject, err := verifyWith(m.Published(), token, alg)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return subject
}

func verifyWith(published []PublicKey, token string, alg jose.SignatureAlgorithm) (string, error) {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return "", err
	}
	kid := tok.Headers[0].KeyID
	for _, k := range published {
		if k.ID() == kid {
			var claims jwt.Claims
			if err := tok.Claims(k.Key(), &claims); err != nil {
				return "", err
			}
			return claims.Subject, nil
		}
	}
	return "", errUnknownKID{kid}
}

type errUnknownKID struct{ kid string }

func (e errUnknownKID) Error() string { return "no published key with kid " + e.kid }
