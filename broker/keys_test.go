package broker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/keys"
)

// TestKeyRotationAcrossInstances: two instances on one Redis agree on the
// active key before and after a rotation, and a token signed by the
// previous key still verifies against either instance's JWKS.
func TestKeyRotationAcrossInstances(t *testing.T) {
	url, prefix := redistest.URL(t), redistest.Prefix(t)
	b1 := bt.Start(t, bt.Options{RedisURL: url, KeyPrefix: prefix})
	b2 := bt.Start(t, bt.Options{RedisURL: url, KeyPrefix: prefix})
	ctx := context.Background()
	if a, b := b1.Keys.Active().ID(), b2.Keys.Active().ID(); a != b {
		t.Fatalf("instances disagree on the active key: %s vs %s", a, b)
	}
	rp := bt.NewRP(t, b1.URL)
	_, tok, _ := login(t, b1, rp, bt.NewBrowser(t))
	before := tok.Extra("id_token").(string)
	oldKID := kidOf(t, before)
	if oldKID != b1.Keys.Active().ID() {
		t.Fatalf("token kid %s is not the active key", oldKID)
	}

	if err := b1.Keys.RotateNow(ctx); err != nil {
		t.Fatal(err)
	}
	// Before b2 even reloads the set, it already publishes the key b1 now
	// signs with: a next key is always published ahead.
	rotated := b1.Keys.Active().ID()
	if !slices.ContainsFunc(b2.Keys.Published(), func(k keys.PublicKey) bool { return k.ID() == rotated }) {
		t.Fatalf("b2 does not publish %s, the key b1 signs with after RotateNow", rotated)
	}
	if err := b2.Keys.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	newKID := b1.Keys.Active().ID()
	if newKID == oldKID || b2.Keys.Active().ID() != newKID {
		t.Fatalf("after rotation: b1 %s, b2 %s, old %s", newKID, b2.Keys.Active().ID(), oldKID)
	}
	_, tok2, _ := login(t, b1, rp, bt.NewBrowser(t))
	after := tok2.Extra("id_token").(string)
	if kidOf(t, after) != newKID {
		t.Fatalf("new token signed by %s, want %s", kidOf(t, after), newKID)
	}
	for _, b := range []*bt.Broker{b1, b2} {
		ks := oidc.NewRemoteKeySet(ctx, b.URL+"/keys")
		for _, raw := range []string{before, after} {
			if _, err := ks.VerifySignature(ctx, raw); err != nil {
				t.Errorf("%s: token signed by %s does not verify: %v", b.URL, kidOf(t, raw), err)
			}
		}
	}
	// The relying party's verifier still accepts the old ID token.
	if _, err := rp.Verifier.Verify(ctx, before); err != nil {
		t.Errorf("old ID token rejected after rotation: %v", err)
	}
	resp, err := http.Get(b2.URL + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	if len(jwks.Key(oldKID)) == 0 || len(jwks.Key(newKID)) == 0 {
		t.Errorf("JWKS lacks the old or new key: %v", jwks.Keys)
	}
	for _, k := range jwks.Keys {
		if !k.IsPublic() {
			t.Fatalf("JWKS publishes a private key")
		}
	}
	if !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("JWKS Cache-Control = %q", resp.Header.Get("Cache-Control"))
	}
}

func kidOf(t *testing.T, raw string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header.KeyID
}
