package redirecturi

import (
	"strings"
	"testing"
)

func TestProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		uri    string
		native bool
		want   string // "" accepted, else a fragment of the message
	}{
		{"https://wt.example.cn/cb", false, ""},
		{"https://wt.example.cn/cb", true, ""},
		{"http://127.0.0.1:5555/callback", false, ""},
		{"http://127.0.0.1/cb", true, ""},
		{"http://[::1]:8080/cb", false, ""},
		{"http://[::1]/cb", true, ""},
		{"http://localhost:3000/cb", false, ""},
		{"http://LOCALHOST/cb", true, ""},
		{"http://wt.example.cn/cb", false, "must use https"},
		{"http://wt.example.cn/cb", true, "must use https"},
		{"http://127.0.0.2/cb", false, "must use https"},
		{"http://192.168.1.5/cb", true, "must use https"},
		{"http://localhost.example.cn/cb", false, "must use https"},
		{"cn.gov.gjj.desktop:/callback", true, ""},
		{"cn.gov.gjj.desktop:/callback", false, "custom schemes need application_type: native"},
		{"gjjapp:/callback", true, "reverse domain name"},
		{"", false, "must not be empty"},
		{"/cb", false, "must be an absolute URL"},
		{"https:/cb", false, "must be an absolute URL with a host"},
		{"https://wt.example.cn/cb#x", false, "fragment"},
		{"https://*.example.cn/cb", false, "wildcard"},
		{"https://wt.example.cn/c b", false, "spaces"},
		{"http://u@127.0.0.1/cb", true, "user info"},
		{"https://wt.example.cn/" + strings.Repeat("a", MaxLength), false, "at most 2000"},
	} {
		got := Problem(tc.uri, tc.native)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("Problem(%.60q, native=%v) = %q, want %q", tc.uri, tc.native, got, tc.want)
		}
	}
}
