package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestDevPublicClientsUseDPoP: under `gjjid dev` the native and app
// clients must send DPoP proofs (RFC 9449 §5.2): a token request without
// one is refused before the code is looked at, one with a proof gets past
// that gate (and fails only on its made-up code).
func TestDevPublicClientsUseDPoP(t *testing.T) {
	d := startDev(t)
	tokenURL := d.issuer + "/oauth/token"
	post := func(clientID string, proof string) (int, string) {
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {"made-up"},
			"code_verifier": {strings.Repeat("v", 43)}, "redirect_uri": {"http://127.0.0.1:49152/callback"}}
		h := http.Header{}
		if proof != "" {
			h.Set("DPoP", proof)
		}
		st, m, _ := bt.PostForm(t, tokenURL, form, "", "", h)
		e, _ := m["error"].(string)
		return st, e
	}
	for _, id := range []string{DemoNativeClientID, DemoAppClientID} {
		if st, e := post(id, ""); st != http.StatusBadRequest || e != "invalid_dpop_proof" {
			t.Errorf("%s without a proof: %d %s, want 400 invalid_dpop_proof", id, st, e)
		}
		proof, err := bt.NewProver(t).Proof(http.MethodPost, tokenURL, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if st, e := post(id, proof); st != http.StatusBadRequest || e != "invalid_grant" {
			t.Errorf("%s with a proof and a made-up code: %d %s, want 400 invalid_grant", id, st, e)
		}
	}
}
