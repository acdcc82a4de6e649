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

// TestClientCredentialsGrant covers the broker's own client_credentials
// path: every error the RFC names, and tokens that verify against the JWKS
// for each signing algorithm.
func TestClientCredentialsGrant(t *testing.T) {
	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"gjj:api"}}
	withPost := func(id, secret string) url.Values {
		f := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
		return f
	}
	b := bt.Start(t, bt.Options{})
	for _, tc := range []struct {
		name         string
		form         url.Values
		user, secret string
		status       int
		errCode      string
	}{
		{"basic", cc, bt.ServiceID, bt.ServiceSecret, http.StatusOK, ""},
		{"post", withPost(bt.ServiceID, bt.ServiceSecret), "", "", http.StatusOK, ""},
		{"wrong secret", cc, bt.ServiceID, "nope", http.StatusUnauthorized, "invalid_client"},
		{"unknown client", cc, "nobody", "x", http.StatusUnauthorized, "invalid_client"},
		{"no credentials", cc, "", "", http.StatusUnauthorized, "invalid_client"},
		{"two methods", withPost(bt.ServiceID, bt.ServiceSecret), bt.ServiceID, bt.ServiceSecret, http.StatusBadRequest, "invalid_request"},
		{"grant not allowed", cc, bt.ClientID, bt.ClientSecret, http.StatusBadRequest, "unauthorized_client"},
		{"scope not granted", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, bt.ServiceID, bt.ServiceSecret, http.StatusBadRequest, "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, header := bt.PostForm(t, b.URL+"/oauth/token", tc.form, tc.user, tc.secret, nil)
			if status != tc.status || (tc.errCode != "" && body["error"] != tc.errCode) {
				t.Fatalf("status %d %v, want %d %s", status, body, tc.status, tc.errCode)
			}
			if header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", header.Get("Cache-Control"))
			}
			if tc.status == http.StatusUnauthorized && tc.user != "" && header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 to a Basic client without WWW-Authenticate")
			}
		})
	}

	for _, alg := range []string{"ES256", "RS256", "EdDSA"} {
		t.Run("signed "+alg, func(t *testing.T) {
			b := bt.Start(t, bt.Options{Edit: func(c *config.Config) { c.Keys.Algorithm = alg }})
			status, body, _ := bt.PostForm(t, b.URL+"/oauth/token", cc, bt.ServiceID, bt.ServiceSecret, nil)
			if status != http.StatusOK || body["token_type"] != "Bearer" || body["scope"] != "gjj:api" {
				t.Fatalf("%d %v", status, body)
			}
			at := body["access_token"].(string)
			ctx := context.Background()
			v := oidc.NewVerifier(b.URL, oidc.NewRemoteKeySet(ctx, b.URL+"/keys"),
				&oidc.Config{ClientID: bt.ServiceID, SupportedSigningAlgs: []string{alg}})
			tok, err := v.Verify(ctx, at)
			if err != nil {
				t.Fatalf("access token does not verify: %v", err)
			}
			var claims map[string]any
			_ = tok.Claims(&claims)
			if claims["client_id"] != bt.ServiceID || claims["sub"] != bt.ServiceID || claims["scope"] != "gjj:api" || claims["jti"] == "" {
				t.Errorf("claims = %v", claims)
			}
			// The library's own verifier (introspection) accepts it too.
			if in, err := bt.Introspect(b.URL, bt.ServiceID, bt.ServiceSecret, at); err != nil || in["active"] != true {
				t.Errorf("introspection: %v %v", in, err)
			}
		})
	}
}
