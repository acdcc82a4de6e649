package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// rsaBits is the modulus size of generated RS256 keys. 2048 bits is
// 112-bit security (NIST SP 800-57 Part 1), enough for a key that signs
// for one rotation period and verifies tokens that live hours; 3072 bits
// would cost about three times as much per signature on the token path
// for nothing a 30-day key needs. Keys of at least this size are read, so
// raising it later keeps older keys valid.
const rsaBits = 2048

// newEntry generates a key for alg and seals its private half. The caller
// sets the schedule (ActivateAt, DeactivateAt).
func newEntry(s *sealer, alg jose.SignatureAlgorithm, now time.Time) (entry, error) {
	signer, err := generate(alg)
	if err != nil {
		return entry{}, fmt.Errorf("keys: generate %s key: %w", alg, err)
	}
	kid, err := keyID(signer.Public())
	if err != nil {
		return entry{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return entry{}, fmt.Errorf("keys: encode key %s: %w", kid, err)
	}
	sealed := s.seal(kid, alg, der)
	clear(der)
	jwk, err := json.Marshal(publicJWK(kid, alg, signer.Public()))
	if err != nil {
		return entry{}, fmt.Errorf("keys: encode public key %s: %w", kid, err)
	}
	return entry{
		storedKey: storedKey{
			KID:              kid,
			Alg:              alg,
			CreatedAt:        stamp(now),
			SealedPrivateKey: sealed,
			PublicJWK:        jwk,
		},
		signer: signer,
	}, nil
}

func generate(alg jose.SignatureAlgorithm) (crypto.Signer, error) {
	switch alg {
	case jose.ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.RS256:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case jose.EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("unsupported algorithm %q", alg)
}

// openEntry decrypts a stored key and checks that the private key is of the
// stated algorithm and matches both its kid and its stored public JWK: the
// kid and alg are authenticated by the seal, the public JWK is not, so it is
// never trusted on its own.
func openEntry(s *sealer, k storedKey) (entry, error) {
	if !supported(k.Alg) {
		return entry{}, fmt.Errorf("keys: key %s: unsupported algorithm %q", k.KID, k.Alg)
	}
	der, err := s.open(k.KID, k.Alg, k.SealedPrivateKey)
	if err != nil {
		return entry{}, fmt.Errorf("keys: decrypt key %s: sealed private key was altered or belongs to another key: %w", k.KID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	clear(der)
	if err != nil {
		return entry{}, fmt.Errorf("keys: parse private key %s: %w", k.KID, err)
	}
	signer, err := checkKeyType(k.Alg, priv)
	if err != nil {
		return entry{}, fmt.Errorf("keys: key %s: %w", k.KID, err)
	}
	kid, err := keyID(signer.Public())
	if err != nil {
		return entry{}, err
	}
	if kid != k.KID {
		return entry{}, fmt.Errorf("keys: key %s: private key has thumbprint %s, not its kid", k.KID, kid)
	}
	var jwk jose.JSONWebKey
	if err := json.Unmarshal(k.PublicJWK, &jwk); err != nil {
		return entry{}, fmt.Errorf("keys: key %s: parse public JWK: %w", k.KID, err)
	}
	if !jwk.IsPublic() {
		return entry{}, fmt.Errorf("keys: key %s: stored public JWK holds private material", k.KID)
	}
	if pubKID, err := keyID(jwk.Key); err != nil || pubKID != k.KID || jwk.KeyID != k.KID || jwk.Algorithm != string(k.Alg) {
		return entry{}, fmt.Errorf("keys: key %s: stored public JWK does not match the private key", k.KID)
	}
	return entry{storedKey: k, signer: signer}, nil
}

// checkKeyType returns priv as a signer if it is the key type alg needs.
func checkKeyType(alg jose.SignatureAlgorithm, priv any) (crypto.Signer, error) {
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		if alg == jose.ES256 && k.Curve == elliptic.P256() {
			return k, nil
		}
	case *rsa.PrivateKey:
		if alg == jose.RS256 && k.N.BitLen() >= rsaBits {
			return k, nil
		}
	case ed25519.PrivateKey:
		if alg == jose.EdDSA {
			return k, nil
		}
	}
	return nil, fmt.Errorf("private key of type %T does not fit algorithm %s", priv, alg)
}

// keyID is the RFC 7638 JWK thumbprint (SHA-256, base64url) of a public
// key: stable, unique, and checkable against the key itself.
func keyID(pub crypto.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("keys: thumbprint of %T: %w", pub, err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// publicJWK is the JWKS entry of a key.
func publicJWK(kid string, alg jose.SignatureAlgorithm, pub crypto.PublicKey) jose.JSONWebKey {
	return jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: string(alg), Use: useSig}
}

// stamp drops the monotonic reading and location so times compare and
// round-trip through JSON exactly.
func stamp(t time.Time) time.Time { return t.Round(0).UTC() }
