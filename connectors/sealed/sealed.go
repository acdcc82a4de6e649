// Package sealed keeps a small record unreadable in a shared store for
// everyone but the holder of a bearer handle (a browser's ticket, a mini
// program's face-login handle): the record is encrypted under a key derived
// from the handle itself, so no server key is involved and none needs
// managing, and the store, which keeps the record under a hash of the
// handle, cannot read it. Connectors and the broker share it; it imports
// nothing of gjjid.
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
var ErrUnreadable = errors.New("sealed record unreadable")

// Seal encodes v as JSON and encrypts it for the holder of handle with
// AES-256-GCM, under a key HKDF-SHA256 derives from handle with purpose as
// its info; purpose is also the additional data. The result is the
// 12-byte nonce followed by the ciphertext. purpose names the kind of
// record and its version ("gjjid self-bind pending identity v1"), so a
// record of one kind never opens as another.
func Seal(handle, purpose string, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := newAEAD(handle, purpose)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, plain, []byte(purpose)), nil
}

// Open reverses Seal into v (a pointer, as for json.Unmarshal).
func Open(handle, purpose string, b []byte, v any) error {
	aead, err := newAEAD(handle, purpose)
	if err != nil {
		return err
	}
	if len(b) < aead.NonceSize()+aead.Overhead() {
		return fmt.Errorf("%w: %d bytes is too short", ErrUnreadable, len(b))
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(purpose))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("sealed record: %w", err)
	}
	return nil
}

func newAEAD(handle, purpose string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, []byte(handle), nil, purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}
	return cipher.NewGCM(block)
}
