package connectors_test

import (
	"encoding/base64"
	"testing"

	"github.com/gjjid/gjjid/connectors"
)

// TestRandomSecret: 43 characters of base64url without padding that decode
// to 32 bytes, and no two alike.
func TestRandomSecret(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		s := connectors.RandomSecret()
		b, err := base64.RawURLEncoding.DecodeString(s)
		if len(s) != 43 || err != nil || len(b) != 32 {
			t.Fatalf("%q: %d characters, %d bytes, %v; want 43 characters of base64url for 32 bytes", s, len(s), len(b), err)
		}
		if seen[s] {
			t.Fatalf("%q came twice", s)
		}
		seen[s] = true
	}
}
