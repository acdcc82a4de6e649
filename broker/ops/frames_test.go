package ops

import (
	"net/http"
	"testing"
)

func TestAllowFrames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		urls []string
		want string
	}{
		{"none", nil, contentSecurityPolicy},
		{"origins once each", []string{"https://a.example.cn/logout?iss=x&sid=y", "https://a.example.cn/other", "http://127.0.0.1:8080/fcl"},
			contentSecurityPolicy + "; frame-src https://a.example.cn http://127.0.0.1:8080"},
		{"non-web schemes and odd hosts left out", []string{"javascript:alert(1)", "data:text/html,x", "https://b.example.cn;/x"},
			contentSecurityPolicy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			AllowFrames(h, tc.urls...)
			if got := h.Get("Content-Security-Policy"); got != tc.want {
				t.Errorf("CSP\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}
