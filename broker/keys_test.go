package broker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// TestKeyRotationAcrossInstances: two instances on one Redis agree on the
// active key before, during and after an administrator's rotation, which
// takes effect at the same instant on both without the second one being
// told; a token signed by the previous key still verifies against either
// instance's JWKS.
func TestKeyRotationAcrossInstances(t *testing.T) {
	url, prefix := redistest.URL(t), redistest.Prefix(t)
	// RotateNow generates an ES256 and an RSA key; on a loaded machine that
	// can take most of a second, and the switch must still lie ahead.
	const interval = 1500 * time.Millisecond
	fast := func(c *config.Config) { c.Keys.CheckInterval = interval }
	b1 := bt.Start(t, bt.Options{RedisURL: url, KeyPrefix: prefix, Edit: fast})
	b2 := bt.Start(t, bt.Options{RedisURL: url, KeyPrefix: prefix, Edit: fast})
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

	rotatedAt := time.Now()
	if err := b1.Keys.RotateNow(ctx); err != nil {
		t.Fatal(err)
	}
	// The switch is scheduled two check intervals ahead: until then both
	// still sign with the old key, and b2 already publishes the new one.
	if a, b := b1.Keys.Active().ID(), b2.Keys.Active().ID(); a != oldKID || b != oldKID {
		t.Fatalf("right after RotateNow: b1 %s, b2 %s, want both %s", a, b, oldKID)
	}
	// b2 learns of the rotation only through its own periodic reload (Run).
	time.Sleep(time.Until(rotatedAt.Add(2*interval + 200*time.Millisecond)))
	newKID := b1.Keys.Active().ID()
	if newKID == oldKID || b2.Keys.Active().ID() != newKID {
		t.Fatalf("after the switch: b1 %s, b2 %s, old %s", newKID, b2.Keys.Active().ID(), oldKID)
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
