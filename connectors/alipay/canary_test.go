package alipay_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors/alipay"
	"github.com/gjjid/gjjid/connectors/alipay/alipaytest"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// TestCanaryAlipay: the gateway answers with a sub_msg quoting every
// parameter it received (the auth_code, the access token, the signature),
// or signs with another app key so it quotes its string to sign; neither
// the log nor the error may then hold any of them, nor may a successful
// login's log.
func TestCanaryAlipay(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		method string
		fault  alipaytest.Fault
		fails  bool // the login fails (user info is optional)
	}{
		{"token echoes the request", alipay.MethodOAuthToken, alipaytest.FaultEcho, true},
		{"user info echoes the request", alipay.MethodUserInfo, alipaytest.FaultEcho, false},
		{"success", "", alipaytest.FaultNone, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, false, alipay.ScopeUser, &http.Client{Timeout: 5 * time.Second})
			if tc.method != "" {
				s.srv.Fail(tc.method, tc.fault)
			}
			code := s.srv.IssueCode("auth_user")
			_, err := s.callback(code)
			if (err != nil) != tc.fails {
				t.Fatalf("callback: %v", err)
			}
			haystack := s.logs.String() + "\n" + fmt.Sprint(err)
			if tc.fault == alipaytest.FaultEcho && !strings.Contains(haystack, "isv.echo") {
				t.Fatalf("the gateway's sub_code is not logged: %s", haystack)
			}
			canaries := []string{code, strings.Split(alipaytest.PrivateKeyPEM(key()), "\n")[1]}
			for _, q := range s.srv.Received() {
				canaries = append(canaries, q.Get("code"), q.Get("auth_token"), q.Get("sign"))
			}
			redacttest.AssertNoCanary(t, haystack, canaries...)
		})
	}
}
