// Package secrets makes the random values the broker hands out (identifiers,
// tokens, cookies) and the hash under which it stores the secret ones: a
// store never sees a secret, only its SHA-256.
package secrets

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Random returns n random bytes, base64url-encoded without padding.
func Random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewID returns a random URL-safe identifier with 128 bits of entropy.
func NewID() string { return Random(16) }

// Hash is the SHA-256 (hex) under which secrets are stored.
func Hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
