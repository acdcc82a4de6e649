package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// secretLen is the size of every server secret: an AES-256 or HMAC-SHA256 key.
const secretLen = 32

// generateHint tells an operator how to make a secret.
const generateHint = "generate one with: openssl rand -base64 32"

// DecodedSecrets are Secrets decoded to raw keys. Each is exactly 32 bytes,
// or nil when the secret was left empty (memory store only; the broker then
// generates it).
type DecodedSecrets struct {
	KeyEncryptionKey []byte
	TokenKey         []byte
	Pepper           []byte
	IDHashKey        []byte
	CookieKey        []byte
}

// Decode decodes every secret that is set. Its error is Problems naming each
// bad secret by YAML path.
func (s Secrets) Decode() (DecodedSecrets, error) {
	var (
		d  DecodedSecrets
		ps Problems
	)
	for _, f := range s.fields(&d) {
		if f.value == "" {
			continue
		}
		k, err := decodeSecret(f.value)
		if err != nil {
			ps.add(f.path, "%v; %s", err, generateHint)
			continue
		}
		*f.out = k
	}
	return d, ps.err()
}

// validate adds the problems of Decode, a missing secret when the store is
// shared by several instances, and secrets reused for two purposes.
func (s Secrets) validate(storeType string, ps *Problems) {
	d, err := s.Decode()
	var bad Problems
	if errors.As(err, &bad) {
		*ps = append(*ps, bad...)
	}
	seen := make(map[string]string) // key bytes -> path of first use
	for _, f := range s.fields(&d) {
		switch {
		case f.value == "" && storeType == "redis":
			ps.add(f.path, "required with store.type redis, since all instances must share it; %s", generateHint)
		case *f.out == nil:
		case seen[string(*f.out)] != "":
			ps.add(f.path, "must differ from %s: each secret keys one purpose", seen[string(*f.out)])
		default:
			seen[string(*f.out)] = f.path
		}
	}
}

type secretField struct {
	path  string
	value string
	out   *[]byte
}

func (s Secrets) fields(d *DecodedSecrets) []secretField {
	return []secretField{
		{"secrets.key_encryption_key", s.KeyEncryptionKey, &d.KeyEncryptionKey},
		{"secrets.token_key", s.TokenKey, &d.TokenKey},
		{"secrets.pepper", s.Pepper, &d.Pepper},
		{"secrets.id_hash_key", s.IDHashKey, &d.IDHashKey},
		{"secrets.cookie_key", s.CookieKey, &d.CookieKey},
	}
}

// decodeSecret accepts standard or URL base64, padded or not, around
// whitespace (a trailing newline from a file or `openssl`).
func decodeSecret(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		k, err := enc.DecodeString(v)
		if err != nil {
			continue
		}
		if len(k) != secretLen {
			return nil, fmt.Errorf("must be base64 of exactly %d bytes, got %d bytes", secretLen, len(k))
		}
		return k, nil
	}
	return nil, fmt.Errorf("must be base64 of exactly %d bytes, and is not valid base64", secretLen)
}
