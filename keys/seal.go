package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// sealer seals private keys under the key-encryption key with AES-256-GCM.
// A sealed key is nonce(12) ‖ ciphertext ‖ tag; the additional data binds it
// to its kid and algorithm, so a sealed key moved onto another entry of the
// set fails to open.
type sealer struct {
	aead cipher.AEAD
	// check identifies the KEK without revealing it (HMAC-SHA-256 of a
	// fixed label), so a wrong KEK is told apart from a tampered key.
	check string
}

func newSealer(kek [32]byte) (*sealer, error) {
	block, err := aes.NewCipher(kek[:])
	if err != nil {
		return nil, fmt.Errorf("keys: key-encryption key: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("keys: key-encryption key: %w", err)
	}
	mac := hmac.New(sha256.New, kek[:])
	mac.Write([]byte("gjjid/keys: key-encryption key check v1"))
	return &sealer{
		aead:  aead,
		check: base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16]),
	}, nil
}

// seal encrypts a PKCS#8 private key with a fresh random nonce.
func (s *sealer) seal(kid string, alg jose.SignatureAlgorithm, der []byte) []byte {
	return s.aead.Seal(nil, nil, der, additionalData(kid, alg))
}

// open decrypts what seal produced for the same kid and algorithm.
func (s *sealer) open(kid string, alg jose.SignatureAlgorithm, sealed []byte) ([]byte, error) {
	return s.aead.Open(nil, nil, sealed, additionalData(kid, alg))
}

// additionalData is kid and alg with a label and NUL separators, so no two
// (kid, alg) pairs share it.
func additionalData(kid string, alg jose.SignatureAlgorithm) []byte {
	return []byte("gjjid/keys\x00" + kid + "\x00" + string(alg))
}
