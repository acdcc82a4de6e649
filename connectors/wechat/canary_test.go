package wechat_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/connectors/redact/redacttest"
	"github.com/gjjid/gjjid/connectors/wechat"
	"github.com/gjjid/gjjid/connectors/wechat/wechattest"
)

// TestCanaryWeChat: the API answers with an errmsg quoting every
// parameter it received (the AppSecret, the code, the access and refresh
// tokens); neither the log nor the error may then hold any of them, nor
// may a successful login's log.
func TestCanaryWeChat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults map[string]wechattest.Fault
		fails  bool // the login fails (the profile is optional)
	}{
		{"access token echoes", map[string]wechattest.Fault{wechat.PathAccessToken: wechattest.FaultEcho}, true},
		{"userinfo echoes", map[string]wechattest.Fault{wechat.PathUserinfo: wechattest.FaultEcho}, false},
		{"refresh echoes", map[string]wechattest.Fault{wechat.PathAccessToken: wechattest.FaultExpiredToken, wechat.PathRefreshToken: wechattest.FaultEcho}, false},
		{"success", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, wechat.ScopeBase, "", nil)
			for path, f := range tc.faults {
				s.srv.Fail(path, f)
			}
			_, err := s.login(t, "")
			if (err != nil) != tc.fails {
				t.Fatalf("login: %v", err)
			}
			haystack := s.logs.String() + "\n" + fmt.Sprint(err)
			if tc.faults != nil && !strings.Contains(haystack, "40029") {
				t.Fatalf("errcode not logged: %s", haystack)
			}
			canaries := []string{webSecret, oaSecret, mpSecret}
			for _, q := range s.srv.Received() {
				canaries = append(canaries, q.Get("code"), q.Get("access_token"), q.Get("refresh_token"))
			}
			redacttest.AssertNoCanary(t, haystack, canaries...)
		})
	}
}
