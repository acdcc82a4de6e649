package provider

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRepeatedParameter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, method, target, body, want string
	}{
		{"single", http.MethodPost, "/oauth/token", "grant_type=client_credentials&scope=a", ""},
		{"twice in the body", http.MethodPost, "/oauth/token", "grant_type=client_credentials&grant_type=client_credentials", "grant_type"},
		{"query and body", http.MethodPost, "/oauth/token?scope=a", "grant_type=client_credentials&scope=a", "scope"},
		{"twice in the query", http.MethodGet, "/authorize?client_id=a&state=1&state=2", "", "state"},
		{"empty values count", http.MethodGet, "/authorize?client_id=a&nonce=&nonce=", "", "nonce"},
		{"first name alphabetically", http.MethodGet, "/authorize?state=1&state=2&client_id=a&client_id=a", "", "client_id"},
		{"resource may repeat (RFC 8707)", http.MethodPost, "/oauth/token", "grant_type=x&resource=https://a&resource=https://b", ""},
		{"audience may repeat (RFC 8693)", http.MethodPost, "/oauth/token", "grant_type=x&audience=a&audience=b", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if got := repeatedParameter(r); got != tc.want {
				t.Errorf("repeatedParameter = %q, want %q", got, tc.want)
			}
		})
	}
}
