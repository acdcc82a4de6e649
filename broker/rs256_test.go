package broker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/keys"
)

const (
	rsaClientID     = "legacy-java"
	rsaClientSecret = "legacy-java-secret"
)

// withRSAClient registers a client that asks for RS256 ID tokens, as an
// old Java system whose library verifies RSA only would.
func withRSAClient(c *config.Config) {
	c.Clients = append(c.Clients, config.Client{ID: rsaClientID, Name: "老贷款系统", Secret: rsaClientSecret, AuthMethod: "client_secret_basic", ApplicationType: "web",
		RedirectURIs: []string{bt.RedirectURI}, GrantTypes: []string{"authorization_code", "refresh_token"},
		IDTokenSignedResponseAlg: "RS256"})
}

// headerAlg is the JWS alg and kid of a compact token.
func headerAlg(t *testing.T, raw string) (jose.SignatureAlgorithm, string) {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA})
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	h := jws.Signatures[0].Header
	return jose.SignatureAlgorithm(h.Algorithm), h.KeyID
}

// TestDiscoveryListsRS256 checks OpenID Connect Discovery §3: RS256 is
// listed, after the ES256 default, and the JWKS holds keys of both.
func TestDiscoveryListsRS256(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	resp, err := http.Get(b.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		IDTokenAlgs []string `json:"id_token_signing_alg_values_supported"`
		JWKSURI     string   `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(doc.IDTokenAlgs, []string{"ES256", "RS256"}) {
		t.Errorf("id_token_signing_alg_values_supported = %v, want [ES256 RS256]", doc.IDTokenAlgs)
	}
	kr, err := http.Get(doc.JWKSURI)
	if err != nil {
		t.Fatal(err)
	}
	defer kr.Body.Close()
	var jwks jose.JSONWebKeySet
	if err := json.NewDecoder(kr.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	algs := map[string]int{}
	for _, k := range jwks.Keys {
		algs[k.Algorithm]++
		if !k.IsPublic() {
			t.Fatal("JWKS publishes a private key")
		}
	}
	if algs["ES256"] == 0 || algs["RS256"] == 0 {
		t.Errorf("JWKS algorithms %v, want ES256 and RS256 keys", algs)
	}
}

// TestRS256IDTokensForClientsThatAskForThem: a client registered with
// id_token_signed_response_alg RS256 gets RS256 ID tokens, at the code
// exchange and on refresh, that go-oidc restricted to RS256 verifies;
// its access tokens stay on the default ES256 key. A client that asked
// for nothing gets ES256 ID tokens.
func TestRS256IDTokensForClientsThatAskForThem(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		b := start(t, bt.Options{Edit: withRSAClient})
		ctx := context.Background()

		rp := bt.NewRP(t, b.URL)
		rp.OAuth2.ClientID, rp.OAuth2.ClientSecret = rsaClientID, rsaClientSecret
		rp.Verifier = rp.Provider.Verifier(&oidc.Config{ClientID: rsaClientID, SupportedSigningAlgs: []string{oidc.RS256}})
		_, tok, claims := login(t, b, rp, bt.NewBrowser(t))
		idToken := tok.Extra("id_token").(string)
		alg, kid := headerAlg(t, idToken)
		if rs := b.Keys.ActiveFor(jose.RS256); alg != jose.RS256 || rs == nil || kid != rs.ID() {
			t.Errorf("ID token signed %s by %s, want RS256 by the active RSA key", alg, kid)
		}
		if claims["aud"] != rsaClientID && !slices.Contains(anySlice(claims["aud"]), any(rsaClientID)) {
			t.Errorf("aud = %v", claims["aud"])
		}
		if alg, kid := headerAlg(t, tok.AccessToken); alg != jose.ES256 || kid != b.Keys.Active().ID() {
			t.Errorf("access token signed %s by %s, want ES256 by the default key", alg, kid)
		}
		// The access token still works where the broker verifies it.
		if _, err := rp.Provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Errorf("userinfo with the RS256 client's access token: %v", err)
		}

		next, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if _, err := rp.VerifyIDToken(ctx, next, ""); err != nil {
			t.Fatalf("refreshed ID token: %v", err)
		}
		if alg, _ := headerAlg(t, next.Extra("id_token").(string)); alg != jose.RS256 {
			t.Errorf("refreshed ID token signed %s, want RS256", alg)
		}
		if alg, _ := headerAlg(t, next.AccessToken); alg != jose.ES256 {
			t.Errorf("refreshed access token signed %s, want ES256", alg)
		}

		// The demo client registered no algorithm: ES256, which an
		// RS256-only verifier refuses.
		demo := bt.NewRP(t, b.URL)
		demo.Verifier = demo.Provider.Verifier(&oidc.Config{ClientID: bt.ClientID, SupportedSigningAlgs: []string{oidc.ES256}})
		_, dtok, _ := login(t, b, demo, bt.NewBrowser(t))
		draw := dtok.Extra("id_token").(string)
		if alg, _ := headerAlg(t, draw); alg != jose.ES256 {
			t.Errorf("demo client's ID token signed %s, want ES256", alg)
		}
		rsaOnly := demo.Provider.Verifier(&oidc.Config{ClientID: bt.ClientID, SupportedSigningAlgs: []string{oidc.RS256}})
		if _, err := rsaOnly.Verify(ctx, draw); err == nil {
			t.Error("an RS256-only verifier accepted the ES256 ID token")
		}
	})
}

// TestKeySetUpgradeAddsRS256Chain: a store whose key set an earlier
// version wrote (ES256 keys only, no "chains") gains an RS256 chain when
// an instance of this version starts on it. The ES256 keys are kept
// byte for byte and still sign; the RSA key is published at once and signs
// two check intervals later, when an RS256 client's ID tokens verify.
func TestKeySetUpgradeAddsRS256Chain(t *testing.T) {
	url, prefix := redistest.URL(t), redistest.Prefix(t)
	const interval = time.Second
	edit := func(c *config.Config) { c.Keys.CheckInterval = interval; withRSAClient(c) }
	old := bt.Start(t, bt.Options{RedisURL: url, KeyPrefix: prefix, Edit: func(c *config.Config) { c.Keys.CheckInterval = time.Hour }})
	ctx := context.Background()

	// Make the stored set what an earlier version wrote.
	raw, version, err := old.Store.GetKeySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var set map[string]json.RawMessage
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	if _, ok := set["chains"]; !ok {
		t.Fatalf("a new key set has no chains: %s", raw)
	}
	delete(set, "chains")
	legacy, _ := json.Marshal(set)
	if _, err := old.Store.SwapKeySet(ctx, version, legacy); err != nil {
		t.Fatal(err)
	}
	esKeys := string(set["keys"])

	swapped := time.Now()
	b := bt.Start(t, bt.Options{RedisURL: url, KeyPrefix: prefix, Edit: edit})
	raw, _, err = b.Store.GetKeySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var upgraded struct {
		Keys   json.RawMessage `json:"keys"`
		Chains []struct {
			Alg  string `json:"alg"`
			Keys []struct {
				KID        string    `json:"kid"`
				ActivateAt time.Time `json:"activate_at"`
			} `json:"keys"`
		} `json:"chains"`
	}
	if err := json.Unmarshal(raw, &upgraded); err != nil {
		t.Fatal(err)
	}
	if string(upgraded.Keys) != esKeys {
		t.Errorf("ES256 keys rewritten by the upgrade:\n%s\nwant\n%s", upgraded.Keys, esKeys)
	}
	if len(upgraded.Chains) != 1 || upgraded.Chains[0].Alg != "RS256" || len(upgraded.Chains[0].Keys) != 1 {
		t.Fatalf("chains after the upgrade: %+v", upgraded.Chains)
	}
	rsa := upgraded.Chains[0].Keys[0]
	if lead := rsa.ActivateAt.Sub(swapped); lead < 2*interval-100*time.Millisecond {
		t.Errorf("RSA key signs %s after the upgrade began, want at least two check intervals", lead)
	}
	if b.Keys.Active().ID() != old.Keys.Active().ID() {
		t.Errorf("default key changed: %s, was %s", b.Keys.Active().ID(), old.Keys.Active().ID())
	}
	if k := b.Keys.ActiveFor(jose.RS256); k != nil && time.Now().Before(rsa.ActivateAt) {
		t.Errorf("RSA key %s signs before its activation", k.ID())
	}
	if !slices.ContainsFunc(b.Keys.Published(), func(k keys.PublicKey) bool { return k.ID() == rsa.KID }) {
		t.Errorf("RSA key %s not published right away", rsa.KID)
	}

	time.Sleep(time.Until(rsa.ActivateAt.Add(50 * time.Millisecond)))
	rp := bt.NewRP(t, b.URL)
	rp.OAuth2.ClientID, rp.OAuth2.ClientSecret = rsaClientID, rsaClientSecret
	rp.Verifier = rp.Provider.Verifier(&oidc.Config{ClientID: rsaClientID, SupportedSigningAlgs: []string{oidc.RS256}})
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
	if alg, kid := headerAlg(t, tok.Extra("id_token").(string)); alg != jose.RS256 || kid != rsa.KID {
		t.Errorf("ID token signed %s by %s, want RS256 by %s", alg, kid, rsa.KID)
	}
	if _, kid := headerAlg(t, tok.AccessToken); kid != old.Keys.Active().ID() {
		t.Errorf("access token signed by %s, want the ES256 key the earlier version made", kid)
	}
}
