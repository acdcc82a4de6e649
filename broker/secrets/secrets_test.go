package secrets

import (
	"encoding/base64"
	"testing"
)

func TestHash(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	} {
		if got := Hash(tc.in); got != tc.want {
			t.Errorf("Hash(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestRandomLengthAndUniqueness(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		make func() string
		len  int
	}{
		{"NewID", NewID, 22},
		{"Random(32)", func() string { return Random(32) }, 43},
	} {
		seen := map[string]bool{}
		for range 100 {
			v := tc.make()
			if len(v) != tc.len {
				t.Fatalf("%s = %q: %d characters, want %d", tc.name, v, len(v), tc.len)
			}
			if _, err := base64.RawURLEncoding.DecodeString(v); err != nil {
				t.Fatalf("%s = %q: not base64url: %v", tc.name, v, err)
			}
			if seen[v] {
				t.Fatalf("%s repeated %q", tc.name, v)
			}
			seen[v] = true
		}
	}
}
