package appscan

import (
	"net/http/httptest"
	"testing"
)

// TestDevCrossOrigin: the simulated app's buttons work from its own page in
// Chromium, which posts same-origin forms with Origin: null under the
// broker's Referrer-Policy: no-referrer, and refuse other sites.
func TestDevCrossOrigin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, site, origin string
		refused            bool
	}{
		{"chromium same-origin with Origin null", "same-origin", "null", false},
		{"same-origin with its own Origin", "same-origin", "http://broker.test", false},
		{"cross-site", "cross-site", "https://evil.test", true},
		{"same-site", "same-site", "http://app.broker.test", true},
		{"cross-site claiming no origin", "cross-site", "", true},
		{"old browser, own origin", "", "http://broker.test", false},
		{"old browser, foreign origin", "", "https://evil.test", true},
		{"old browser, Origin null", "", "null", true},
		{"no browser headers", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://broker.test/dev/app/scan", nil)
			if tc.site != "" {
				r.Header.Set("Sec-Fetch-Site", tc.site)
			}
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if got := devCrossOrigin(r); (got != "") != tc.refused {
				t.Errorf("devCrossOrigin = %q, refused want %v", got, tc.refused)
			}
		})
	}
}
