package oauth2_test

import (
	"fmt"
	"testing"

	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// TestCanaryOAuth2: the token or user call fails with an errcode and
// errmsg quoting everything the request carried (the client secret, the
// code, the access token), wherever the secret travels; neither the log
// nor the error may then hold any of them, nor may a successful login's
// log (nor the person's ID number and mobile).
func TestCanaryOAuth2(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, call, where string }{
		{"token echoes, secret in query", "token", "query"},
		{"token echoes, secret in form", "token", "form"},
		{"token echoes, secret in basic", "token", "basic"},
		{"userinfo echoes", "userinfo", "query"},
		{"success", "", "query"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, tc.where, nil, person)
			if tc.call != "" {
				h.gd.FailEchoing(tc.call)
			}
			_, err := h.login(t)
			if (err != nil) != (tc.call != "") {
				t.Fatalf("login: %v", err)
			}
			haystack := h.logs.String() + "\n" + fmt.Sprint(err)
			canaries := []string{"gd-s3cret", person.IDCardNumber, person.Mobile}
			for _, q := range h.gd.Received() {
				canaries = append(canaries, q.Get("code"), q.Get("access_token"), q.Get("client_secret"))
				if a := q.Get("authorization"); len(a) > 6 {
					canaries = append(canaries, a[6:]) // without "Basic "
				}
			}
			if len(canaries) < 4 {
				t.Fatal("the fake received nothing")
			}
			redacttest.AssertNoCanary(t, haystack, canaries...)
		})
	}
}
