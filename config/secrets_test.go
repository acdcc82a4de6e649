package config

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestSecretsDecode(t *testing.T) {
	t.Parallel()
	raw := bytes.Repeat([]byte{0xfb}, 32) // 0xfb makes '+' and '/' in std base64
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		d, err := Secrets{TokenKey: enc.EncodeToString(raw)}.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(d.TokenKey, raw) {
			t.Errorf("TokenKey = %x", d.TokenKey)
		}
		if d.KeyEncryptionKey != nil || d.Pepper != nil || d.IDHashKey != nil || d.CookieKey != nil {
			t.Errorf("empty secrets decoded to non-nil: %+v", d)
		}
	}
}

func TestSecretsDecodeReportsEachBadSecret(t *testing.T) {
	t.Parallel()
	_, err := Secrets{Pepper: "!!", CookieKey: base64.StdEncoding.EncodeToString(make([]byte, 16))}.Decode()
	wantProblem(t, err, "secrets.pepper", "not valid base64")
	wantProblem(t, err, "secrets.cookie_key", "got 16 bytes; generate one with: openssl rand -base64 32")
}
