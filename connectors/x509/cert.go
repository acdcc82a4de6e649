package x509

import (
	gox509 "crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers the dispatch looks at.
var (
	oidPublicKeyEC = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidCurveSM2    = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}
	oidSigSM2SM3   = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 501}
)

// maxCertSize bounds one DER certificate; real ones are 1–3 KiB.
const maxCertSize = 16 << 10

// cert is a parsed certificate. RSA and ECDSA certificates stay on the
// standard library's path; SM2 ones (an SM2 key, or a signature by SM2
// with SM3) are parsed by gmsm's smx509, whose Certificate is a
// crypto/x509 Certificate underneath, so both read alike afterwards.
type cert struct {
	*gox509.Certificate
	sm bool // verify signatures by and of it with smx509
}

// errParse marks input that is not a certificate we can read.
var errParse = errors.New("not a readable certificate")

// parseCert dispatches on the public key and signature algorithms before
// parsing: crypto/x509 cannot read SM2 certificates at all
// (docs/connectors-certificates.md#sm2).
func parseCert(der []byte) (*cert, error) {
	if len(der) > maxCertSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", errParse, maxCertSize)
	}
	sm, err := isSM2(der)
	if err != nil {
		return nil, err
	}
	if sm {
		c, err := smx509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: SM2: %v", errParse, err)
		}
		return &cert{Certificate: c.ToX509(), sm: true}, nil
	}
	c, err := gox509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errParse, err)
	}
	return &cert{Certificate: c}, nil
}

// isSM2 reads only as far as the certificate's signature algorithm and
// subject public key algorithm.
func isSM2(der []byte) (bool, error) {
	in := cryptobyte.String(der)
	var c, tbs, sigAlg, spki, keyAlg cryptobyte.String
	if !in.ReadASN1(&c, cbasn1.SEQUENCE) || !in.Empty() || !c.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.SkipASN1(cbasn1.INTEGER) || !tbs.ReadASN1(&sigAlg, cbasn1.SEQUENCE) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) || !tbs.SkipASN1(cbasn1.SEQUENCE) || !tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&keyAlg, cbasn1.SEQUENCE) {
		return false, fmt.Errorf("%w: malformed DER", errParse)
	}
	var sigOID, keyOID asn1.ObjectIdentifier
	if !sigAlg.ReadASN1ObjectIdentifier(&sigOID) || !keyAlg.ReadASN1ObjectIdentifier(&keyOID) {
		return false, fmt.Errorf("%w: malformed algorithm identifier", errParse)
	}
	if sigOID.Equal(oidSigSM2SM3) || keyOID.Equal(oidCurveSM2) {
		return true, nil
	}
	var curve asn1.ObjectIdentifier
	return keyOID.Equal(oidPublicKeyEC) && keyAlg.ReadASN1ObjectIdentifier(&curve) && curve.Equal(oidCurveSM2), nil
}

// sm returns c as gmsm's certificate type (the same struct).
func (c *cert) smx() *smx509.Certificate { return (*smx509.Certificate)(c.Certificate) }
