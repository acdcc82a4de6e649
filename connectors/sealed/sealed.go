// Package sealed keeps small JSON records unreadable to the store that
// holds them: AES-256-GCM under a key HKDF-SHA256 derives from a secret and
// a purpose. Seal and Open key a record with a bearer handle (a browser's
// ticket, a mini program's face-login handle), so only the handle's holder
// can read it back, and no server key is involved or needs managing; a Box
// keys records with a secret of the broker's (the pages' cookies).
// Connectors and the broker share it; it imports nothing of gjjid.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrUnreadable is what Open returns for bytes it cannot open: another
// handle or purpose, a changed or truncated record, or no sealed record.
var ErrUnreadable = errors.New("sealed: record does not open")

// Box seals records under one key, which HKDF-SHA256 derives from a
// secret with a purpose as its info. Seal and Open make one for a bearer
// handle; the broker also keeps one over a key of its own (the pages'
// cookies).
type Box struct{ aead cipher.AEAD }

// NewBox derives the box's key from secret and purpose. purpose names the
// kind of record and its version ("gjjid self-bind pending identity v1"),
// so a record of one kind never opens as another.
func NewBox(secret []byte, purpose string) (*Box, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("sealed: key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealed: key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealed: key: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encodes v as JSON and encrypts it with AES-256-GCM and a fresh
// random nonce, binding ad as additional data: the result is the 12-byte
// nonce followed by the ciphertext and its tag.
func (b *Box) Seal(v any, ad []byte) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("sealed: encode: %w", err)
	}
	ns := b.aead.NonceSize()
	nonce := make([]byte, ns, ns+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("sealed: nonce: %w", err)
	}
	return b.aead.Seal(nonce, nonce, plain, ad), nil
}

// Open reverses Seal into v (a pointer, as for json.Unmarshal); the same
// additional data must be given.
func (b *Box) Open(sealed, ad []byte, v any) error {
	ns := b.aead.NonceSize()
	if len(sealed) < ns+b.aead.Overhead() {
		return fmt.Errorf("%w: %d bytes is too short", ErrUnreadable, len(sealed))
	}
	plain, err := b.aead.Open(nil, sealed[:ns], sealed[ns:], ad)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("sealed: decode: %w", err)
	}
	return nil
}

// Seal seals v for the holder of handle: a Box over handle and purpose,
// with purpose as the additional data too.
func Seal(handle, purpose string, v any) ([]byte, error) {
	box, err := NewBox([]byte(handle), purpose)
	if err != nil {
		return nil, err
	}
	return box.Seal(v, []byte(purpose))
}

// Open reverses Seal into v (a pointer, as for json.Unmarshal).
func Open(handle, purpose string, b []byte, v any) error {
	box, err := NewBox([]byte(handle), purpose)
	if err != nil {
		return err
	}
	return box.Open(b, []byte(purpose), v)
}
