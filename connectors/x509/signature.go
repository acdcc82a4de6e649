package x509

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // see cms.go
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// errSignature: the signature does not verify over the challenge.
var errSignature = errors.New("signature does not verify")

// verifyRaw checks a raw signature by c over msg, as CA components make
// them: RSA PKCS #1 v1.5 with SHA-256 (or SHA-1, still the default of
// some components; harmless over a fresh server challenge), ECDSA with
// SHA-256, SM2 with SM3 and the default signer ID. ECDSA and SM2
// signatures may be DER or the fixed-width r ‖ s that WebCrypto and some
// components produce.
func verifyRaw(c *cert, msg, sig []byte) error {
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		h := sha256.Sum256(msg)
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig) == nil {
			return nil
		}
		h1 := sha1.Sum(msg) //nolint:gosec // see above
		if rsa.VerifyPKCS1v15(pub, crypto.SHA1, h1[:], sig) == nil {
			return nil
		}
		return fmt.Errorf("%w: RSA", errSignature)
	case *ecdsa.PublicKey:
		forms := [][]byte{sig}
		if der := toDERSignature(sig, (pub.Curve.Params().BitSize+7)/8); der != nil {
			forms = append(forms, der)
		}
		h := sha256.Sum256(msg)
		for _, s := range forms {
			if sm2.IsSM2PublicKey(pub) && sm2.VerifyASN1WithSM2(pub, nil, msg, s) ||
				!sm2.IsSM2PublicKey(pub) && ecdsa.VerifyASN1(pub, h[:], s) {
				return nil
			}
		}
		return fmt.Errorf("%w: ECDSA/SM2", errSignature)
	}
	return fmt.Errorf("%w: unsupported key type %T", errSignature, c.PublicKey)
}

// toDERSignature turns an r ‖ s signature of 2·size bytes into DER; nil
// for any other length.
func toDERSignature(sig []byte, size int) []byte {
	if len(sig) != 2*size {
		return nil
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(new(big.Int).SetBytes(sig[:size]))
		b.AddASN1BigInt(new(big.Int).SetBytes(sig[size:]))
	})
	return b.BytesOrPanic()
}
