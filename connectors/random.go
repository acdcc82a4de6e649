package connectors

import (
	"crypto/rand"
	"encoding/base64"
)

// RandomSecret returns a fresh unguessable value, 256 random bits as
// base64url without padding (43 characters): what a connector hands out
// and later takes back — a login flow's nonce, a QR code's poll secret and
// ticket, a face login's handle. The broker's own (client secrets, page
// tokens) come from broker/secrets, in the same form.
func RandomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
