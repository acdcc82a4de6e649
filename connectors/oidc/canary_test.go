package oidc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gjjid/gjjid/connectors/oidc/oidctest"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// TestCanaryOIDC: the token or userinfo endpoint fails quoting everything
// the request carried (the client secret, the code, the PKCE verifier,
// the access token); neither the log nor the error may then hold any of
// them, nor may a successful login's log.
func TestCanaryOIDC(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, endpoint, auth string
	}{
		{"token echoes, basic auth", oidctest.EndpointToken, ""},
		{"token echoes, post auth", oidctest.EndpointToken, "client_secret_post"},
		{"userinfo echoes", oidctest.EndpointUserinfo, ""},
		{"success", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			extra := "userinfo: true\n"
			if tc.auth != "" {
				extra += "auth_method: " + tc.auth + "\n"
			}
			h := start(t, extra)
			if tc.endpoint != "" {
				h.op.FailEchoing(tc.endpoint)
			}
			_, err := h.login(t, context.Background())
			if (err != nil) != (tc.endpoint != "") {
				t.Fatalf("login: %v", err)
			}
			haystack := h.logs.String() + "\n" + fmt.Sprint(err)
			canaries := []string{"s3cret-value"}
			for _, q := range h.op.Received() {
				canaries = append(canaries, q.Get("code"), q.Get("code_verifier"), q.Get("client_secret"), q.Get("authorization"))
				if len(q.Get("authorization")) > 7 {
					canaries = append(canaries, q.Get("authorization")[7:]) // without "Bearer " / "Basic "
				}
			}
			if len(canaries) < 3 {
				t.Fatal("the fake received nothing")
			}
			redacttest.AssertNoCanary(t, haystack, canaries...)
		})
	}
}
