package broker_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

// TestFAPI2Profile: a client with profile fapi2 must push its
// authorization requests, authenticate with private_key_jwt and prove a
// DPoP key at the token endpoint; it gets ES256 tokens bound to that key,
// and refresh tokens that are not rotated (a retried refresh works).
func TestFAPI2Profile(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		keys, jwks := newRPKeys(t, "k1")
		b := start(t, bt.Options{Edit: func(c *config.Config) {
			c.Clients = append(c.Clients, config.Client{ID: keyClientID, Name: "FAPI 业务系统", AuthMethod: "private_key_jwt",
				ApplicationType: "web", JWKSURI: jwks.URL, RedirectURIs: []string{bt.RedirectURI}, Profile: "fapi2",
				GrantTypes: []string{"authorization_code", "refresh_token"}})
		}})
		rp := bt.NewRP(t, b.URL)
		rp.OAuth2.ClientID, rp.OAuth2.ClientSecret = keyClientID, ""

		// Without PAR: refused at the redirect URI.
		br := bt.NewBrowser(t)
		loc, err := br.Get(rp.NewFlow().URL)
		if err != nil || loc == nil || loc.Query().Get("error") != "invalid_request" {
			t.Fatalf("fapi2 authorization request without PAR: %v %v", loc, err)
		}

		f, params := pushedFlow()
		params.Set("scope", "openid offline_access")
		st, out, _ := postAssertion(t, b, "/oauth/par", params, keys.assertion(t, "k1", b.URL, nil))
		if st != http.StatusCreated {
			t.Fatalf("fapi2 push: %d %v", st, out)
		}
		br = bt.NewBrowser(t)
		loc, err = br.Login(b.URL, authorizeURI(b, keyClientID, out["request_uri"].(string)), bt.AgentIDNumber, bt.AgentPassword)
		if err != nil {
			t.Fatal(err)
		}
		code, err := rp.Callback(f, loc)
		if err != nil {
			t.Fatal(err)
		}
		tokenURL := b.URL + "/oauth/token"
		form := func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {bt.RedirectURI}, "code_verifier": {f.Verifier}}
		}
		// Without a DPoP proof: refused before the code is spent.
		if st, out, _ := postAssertion(t, b, "/oauth/token", form(), keys.assertion(t, "k1", tokenURL, nil)); st != http.StatusBadRequest || out["error"] != "invalid_dpop_proof" {
			t.Fatalf("fapi2 exchange without DPoP: %d %v", st, out)
		}
		key := bt.NewProver(t)
		exchange := func(form url.Values) (int, map[string]any) {
			form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
			form.Set("client_assertion", keys.assertion(t, "k1", tokenURL, nil))
			resp, m := bt.PostFormWith(t, bt.DPoPClient(key), tokenURL, form)
			return resp.StatusCode, m
		}
		st, tok := exchange(form())
		if st != http.StatusOK || tok["token_type"] != "DPoP" {
			t.Fatalf("fapi2 exchange: %d %v", st, tok)
		}
		idt, err := rp.Provider.Verifier(&oidc.Config{ClientID: keyClientID, SupportedSigningAlgs: []string{oidc.ES256}}).Verify(context.Background(), tok["id_token"].(string))
		if err != nil || idt.Nonce != f.Nonce {
			t.Fatalf("fapi2 ID token (ES256): %v", err)
		}
		rt, _ := tok["refresh_token"].(string)
		if rt == "" {
			t.Fatalf("no refresh token: %v", tok)
		}
		// Refresh is not rotated: the same token comes back, and a retry
		// with it still works.
		for i := range 2 {
			st, next := exchange(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
			if st != http.StatusOK || next["refresh_token"] != rt || next["access_token"] == tok["access_token"] {
				t.Fatalf("fapi2 refresh %d: %d %v", i, st, next)
			}
		}
	})
}
