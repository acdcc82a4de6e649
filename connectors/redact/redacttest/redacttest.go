// Package redacttest checks that canary values — secrets a test sent
// upstream or received from it — appear nowhere in what the test
// captured (logs, audit events, error texts), in any encoding a request
// or an echo of it uses.
package redacttest

import (
	"strings"
	"testing"

	"github.com/gjjid/gjjid/connectors/redact"
)

// AssertNoCanary fails t for each canary that haystack holds, raw or in
// any of redact.Encodings, without regard to case. Empty canaries are
// skipped; name each canary in the test so a failure says which leaked.
func AssertNoCanary(t testing.TB, haystack string, canaries ...string) {
	t.Helper()
	lower := strings.ToLower(haystack)
	for _, c := range canaries {
		if c == "" {
			continue
		}
		for _, form := range redact.Encodings(c) {
			if i := strings.Index(lower, strings.ToLower(form)); i >= 0 {
				t.Errorf("canary %q leaked (as %q) in: …%s…", c, form, excerpt(haystack, i, len(form)))
				break
			}
		}
	}
}

// Leaks reports whether haystack holds canary in any encoding; for tests
// that check the assertion itself can fail.
func Leaks(haystack, canary string) bool {
	lower := strings.ToLower(haystack)
	for _, form := range redact.Encodings(canary) {
		if strings.Contains(lower, strings.ToLower(form)) {
			return true
		}
	}
	return false
}

func excerpt(s string, i, n int) string {
	lo, hi := max(i-40, 0), min(i+n+40, len(s))
	return s[lo:hi]
}
