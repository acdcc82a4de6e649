package keys

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func withRS256(o *Options) { o.Also = []jose.SignatureAlgorithm{jose.RS256} }

func TestNewSetHoldsAnRS256ChainBesideTheDefault(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	m := newTestManager(t, st, clk, withRS256)
	now := clk.Now()

	set := st.stored(t)
	if len(set.Keys) != 2 || len(set.Chains) != 1 || set.Chains[0].Alg != jose.RS256 || len(set.Chains[0].Keys) != 2 {
		t.Fatalf("stored %d default keys and chains %+v; want 2 ES256 keys and one RS256 chain of 2", len(set.Keys), set.Chains)
	}
	rsa := set.Chains[0].Keys
	if !rsa[0].ActivateAt.Equal(now) || !rsa[1].ActivateAt.Equal(now.Add(testPeriod)) {
		t.Errorf("RS256 activate_at = %s, %s; want now and now+RotationPeriod", rsa[0].ActivateAt, rsa[1].ActivateAt)
	}
	if a := m.Active(); a.SignatureAlgorithm() != jose.ES256 || a.ID() != set.Keys[0].KID {
		t.Errorf("Active() = %s %s, want the ES256 default", a.ID(), a.SignatureAlgorithm())
	}
	r := m.ActiveFor(jose.RS256)
	if r == nil || r.ID() != rsa[0].KID || r.SignatureAlgorithm() != jose.RS256 {
		t.Fatalf("ActiveFor(RS256) = %v, want %s", r, rsa[0].KID)
	}
	if got := m.ActiveFor(jose.ES256); got != m.Active() {
		t.Errorf("ActiveFor(ES256) = %v, want the default active key", got)
	}
	if got := m.ActiveFor(jose.EdDSA); got != nil {
		t.Errorf("ActiveFor(EdDSA) = %s, want nil", got.ID())
	}
	assertIDs(t, "Published", publishedIDs(m), []string{set.Keys[0].KID, set.Keys[1].KID, rsa[0].KID, rsa[1].KID})
	if got := m.Algorithms(); !slices.Equal(got, []jose.SignatureAlgorithm{jose.ES256, jose.RS256}) {
		t.Errorf("Algorithms() = %v, want [ES256 RS256]", got)
	}

	// An RS256 token verifies against the JWKS document.
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(m.JWKS(), &jwks); err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: r.SignatureAlgorithm(), Key: jose.JSONWebKey{Key: r.Key(), KeyID: r.ID()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: "s"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := jwks.Key(r.ID())
	if len(keys) != 1 {
		t.Fatalf("JWKS holds %d keys with kid %s, want 1", len(keys), r.ID())
	}
	var c jwt.Claims
	if err := tok.Claims(keys[0].Key, &c); err != nil || c.Subject != "s" {
		t.Errorf("RS256 token does not verify with the published key: %v", err)
	}
}

// A store written by a build without extra chains holds the default chain
// only. The next check adds the RS256 chain ahead of signing and leaves
// the ES256 chain exactly as it was.
func TestRS256ChainJoinsAnES256OnlySet(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	old := newTestManager(t, st, clk, nil) // as an older build wrote it
	before := st.stored(t)
	if len(before.Chains) != 0 {
		t.Fatalf("set written without Also has chains %+v", before.Chains)
	}
	oldRaw := mustGet(t, st)
	var legacy map[string]json.RawMessage
	if err := json.Unmarshal(oldRaw, &legacy); err != nil {
		t.Fatal(err)
	}
	if _, ok := legacy["chains"]; ok {
		t.Fatalf("a set without extra chains writes a chains field: %s", oldRaw)
	}

	clk.Advance(time.Hour)
	now := clk.Now()
	m := newTestManager(t, st, clk, withRS256)
	after := st.stored(t)
	if !slices.EqualFunc(after.Keys, before.Keys, sameStoredKey) {
		t.Fatalf("ES256 chain changed: %q → %q", storedIDs(before), storedIDs(after))
	}
	if len(after.Chains) != 1 || after.Chains[0].Alg != jose.RS256 || len(after.Chains[0].Keys) != 1 {
		t.Fatalf("chains = %+v, want one RS256 key", after.Chains)
	}
	first := after.Chains[0].Keys[0]
	at := now.Add(2 * testInterval)
	if !first.ActivateAt.Equal(at) {
		t.Errorf("RS256 key activates %s, want now + 2 check intervals (%s)", first.ActivateAt, at)
	}

	// Published at once, signing only once every instance has it.
	if m.Active().ID() != old.Active().ID() || m.Active().SignatureAlgorithm() != jose.ES256 {
		t.Errorf("default key changed to %s", m.Active().ID())
	}
	if k := m.ActiveFor(jose.RS256); k != nil {
		t.Errorf("ActiveFor(RS256) = %s before its activation, want nil", k.ID())
	}
	assertIDs(t, "Published", publishedIDs(m), []string{before.Keys[0].KID, before.Keys[1].KID, first.KID})
	if err := old.Refresh(context.Background()); err != nil {
		t.Fatalf("the instance that wrote the ES256-only set cannot read the upgraded one: %v", err)
	}
	if old.Active().ID() != before.Keys[0].KID || !slices.Contains(publishedIDs(old), first.KID) {
		t.Errorf("other instance: active %s, published %q", old.Active().ID(), publishedIDs(old))
	}

	clk.Set(at)
	if k := m.ActiveFor(jose.RS256); k == nil || k.ID() != first.KID {
		t.Fatalf("ActiveFor(RS256) at its activation = %v, want %s", k, first.KID)
	}
	if m.Active().ID() != before.Keys[0].KID {
		t.Errorf("default key changed to %s", m.Active().ID())
	}

	// From then on the chain rotates like the default one: a successor is
	// published ahead, and RotateNow switches both chains together.
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	rs := st.stored(t).Chains[0].Keys
	if len(rs) != 2 || !rs[1].ActivateAt.Equal(at.Add(testPeriod)) {
		t.Fatalf("RS256 chain after refresh = %q, want a next key activating a period after the first", storedKeyIDs(rs))
	}
	if err := m.RotateNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * testInterval)
	if got := m.ActiveFor(jose.RS256); got == nil || got.ID() != rs[1].KID {
		t.Errorf("RS256 key after RotateNow = %v, want %s", got, rs[1].KID)
	}
	if got := m.Active().ID(); got != before.Keys[1].KID {
		t.Errorf("ES256 key after RotateNow = %s, want %s", got, before.Keys[1].KID)
	}
	if got := st.stored(t).Keys; got[0].KID != before.Keys[0].KID || string(got[0].SealedPrivateKey) != string(before.Keys[0].SealedPrivateKey) {
		t.Errorf("the retiring ES256 key was replaced by the rotation")
	}
}

func TestChainWithAForeignKeyIsRejected(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	newTestManager(t, st, clk, withRS256)
	set := st.stored(t)
	set.Chains[0].Keys[0], set.Keys[0] = set.Keys[0], set.Chains[0].Keys[0]
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	st.put(data)
	if _, err := New(context.Background(), st, testOptions(clk)); err == nil {
		t.Fatal("a set whose RS256 chain holds an ES256 key was accepted")
	}
}

func sameStoredKey(a, b storedKey) bool {
	return a.KID == b.KID && a.Alg == b.Alg && a.ActivateAt.Equal(b.ActivateAt) && a.DeactivateAt.Equal(b.DeactivateAt) &&
		string(a.SealedPrivateKey) == string(b.SealedPrivateKey) && string(a.PublicJWK) == string(b.PublicJWK)
}

func storedKeyIDs(keys []storedKey) []string {
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.KID)
	}
	return ids
}

func TestActiveForDoesNotAllocate(t *testing.T) {
	m := newTestManager(t, &memStore{}, newFakeClock(), func(o *Options) { withRS256(o); o.Now = time.Now })
	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA} {
		if n := testing.AllocsPerRun(100, func() { _ = m.ActiveFor(alg) }); n != 0 {
			t.Errorf("ActiveFor(%s) allocates %.0f times per call", alg, n)
		}
	}
}

func TestAlsoRejectsUnsupportedAlgorithms(t *testing.T) {
	t.Parallel()
	opts := testOptions(newFakeClock())
	opts.Also = []jose.SignatureAlgorithm{jose.RS256, jose.HS256}
	_, err := New(context.Background(), &memStore{}, opts)
	if err == nil || !strings.Contains(err.Error(), `Options.Also: algorithm "HS256"`) {
		t.Fatalf("New with Also HS256: %v, want an error naming Options.Also", err)
	}
}
