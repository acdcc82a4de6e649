package provider

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
)

// jwtSigner signs compact JWS for the grants the broker serves itself. The
// protected header depends only on the key, so its encoding is kept per
// key ID instead of being rebuilt for every token.
type jwtSigner struct {
	headers sync.Map // kid → base64url header
}

func (s *jwtSigner) header(kid string, alg jose.SignatureAlgorithm) string {
	if h, ok := s.headers.Load(kid); ok {
		return h.(string)
	}
	b, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{string(alg), kid, "JWT"})
	h := base64.RawURLEncoding.EncodeToString(b)
	s.headers.Store(kid, h)
	return h
}

// sign returns header.payload.signature for the given claims JSON.
func (s *jwtSigner) sign(kid string, alg jose.SignatureAlgorithm, key any, payload []byte) (string, error) {
	input := s.header(kid, alg) + "." + base64.RawURLEncoding.EncodeToString(payload)
	var sig []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		if alg != jose.ES256 {
			return "", fmt.Errorf("jwt: ECDSA key for %s", alg)
		}
		h := sha256.Sum256([]byte(input))
		r, ss, err := ecdsa.Sign(rand.Reader, k, h[:])
		if err != nil {
			return "", err
		}
		// RFC 7518 §3.4: R and S as fixed 32-byte big-endian integers.
		sig = make([]byte, 64)
		fill(sig[:32], r)
		fill(sig[32:], ss)
	case *rsa.PrivateKey:
		if alg != jose.RS256 {
			return "", fmt.Errorf("jwt: RSA key for %s", alg)
		}
		h := sha256.Sum256([]byte(input))
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:]); err != nil {
			return "", err
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(input))
	default:
		return "", fmt.Errorf("jwt: unsupported signing key %T", key)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func fill(dst []byte, n *big.Int) { n.FillBytes(dst) }
