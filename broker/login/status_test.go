package login

import (
	"net/http"
	"testing"

	"github.com/gjjid/gjjid/connectors"
)

// One family of statuses for login refusals, whatever page shows them.
func TestRefusalStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code string
		want int
	}{
		{"invalid_credentials", http.StatusForbidden},
		{"locked", http.StatusForbidden},
		{"untrusted", http.StatusForbidden},
		{"revoked", http.StatusForbidden},
		{connectors.CodeUserRefused, http.StatusForbidden},
		{"upstream_invalid", http.StatusForbidden},
		{"rate_limited", http.StatusTooManyRequests},
		{"upstream_unavailable", http.StatusBadGateway},
	} {
		if got := refusalStatus(&connectors.LoginError{Code: tc.code}); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.code, got, tc.want)
		}
	}
}
