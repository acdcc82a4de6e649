package x509

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha1" //nolint:gosec // RFC 6960 CertIDs name issuers by SHA-1 hashes
	"crypto/sha256"
	gox509 "crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// OCSP object identifiers golang.org/x/crypto/ocsp does not export.
var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidSHA1      = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSM3       = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 401}
)

// ocspAnswer is what the revocation check reads of an OCSP response.
type ocspAnswer struct {
	Status                 int // ocsp.Good, ocsp.Revoked or ocsp.Unknown
	ThisUpdate, NextUpdate time.Time
}

// parseSM2OCSP parses an OCSP response (RFC 6960) signed with SM2-with-SM3
// by issuer or by a responder issuer delegated to (a certificate issued
// by it, carrying the OCSP-signing EKU, current at now), and returns the
// single response for leaf. golang.org/x/crypto/ocsp can neither verify
// SM2 signatures nor read SM2 responder certificates; anything this does
// not verify is an error (fail closed).
func parseSM2OCSP(der []byte, leaf, issuer *cert, now time.Time) (*ocspAnswer, error) {
	in := cryptobyte.String(der)
	var resp, respBytes, basic cryptobyte.String
	var status int
	var respType asn1.ObjectIdentifier
	if !in.ReadASN1(&resp, cbasn1.SEQUENCE) || !in.Empty() || !resp.ReadASN1Enum(&status) {
		return nil, errors.New("malformed response")
	}
	if status != 0 {
		return nil, fmt.Errorf("responder status %d", status)
	}
	var explicit cryptobyte.String
	if !resp.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!explicit.ReadASN1(&respBytes, cbasn1.SEQUENCE) || !respBytes.ReadASN1ObjectIdentifier(&respType) ||
		!respBytes.ReadASN1(&basic, cbasn1.OCTET_STRING) {
		return nil, errors.New("malformed response bytes")
	}
	if !respType.Equal(oidOCSPBasic) {
		return nil, fmt.Errorf("response type %v", respType)
	}
	var br, tbsRaw, sigAlg cryptobyte.String
	var sigOID asn1.ObjectIdentifier
	var sig asn1.BitString
	if !basic.ReadASN1(&br, cbasn1.SEQUENCE) || !basic.Empty() ||
		!br.ReadASN1Element(&tbsRaw, cbasn1.SEQUENCE) || !br.ReadASN1(&sigAlg, cbasn1.SEQUENCE) ||
		!sigAlg.ReadASN1ObjectIdentifier(&sigOID) || !br.ReadASN1BitString(&sig) {
		return nil, errors.New("malformed basic response")
	}
	if !sigOID.Equal(oidSigSM2SM3) {
		return nil, fmt.Errorf("signature algorithm %v, want SM2-with-SM3", sigOID)
	}
	signer := issuer
	var certs cryptobyte.String
	var hasCerts bool
	if !br.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("malformed certificates")
	}
	if hasCerts {
		var seq, first cryptobyte.String
		if !certs.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Element(&first, cbasn1.SEQUENCE) {
			return nil, errors.New("malformed certificates")
		}
		// Only the first certificate is the responder's (RFC 6960 §4.2.2.2).
		if !bytes.Equal(first, issuer.Raw) {
			d, err := delegatedResponder(first, issuer, now)
			if err != nil {
				return nil, err
			}
			signer = d
		}
	}
	pub, ok := signer.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != sm2.P256() {
		return nil, errors.New("responder key is not SM2")
	}
	if sig.BitLength%8 != 0 || !sm2.VerifyASN1WithSM2(pub, nil, tbsRaw, sig.Bytes) {
		return nil, errors.New("bad SM2 signature")
	}
	return sm2OCSPSingle(tbsRaw, leaf, issuer)
}

// delegatedResponder accepts der as the responder when issuer signed it,
// it may sign OCSP responses and it is current.
func delegatedResponder(der []byte, issuer *cert, now time.Time) (*cert, error) {
	c, err := parseCert(der)
	if err != nil {
		return nil, fmt.Errorf("responder certificate: %w", err)
	}
	if err := c.smx().CheckSignatureFrom(issuer.smx()); err != nil {
		return nil, fmt.Errorf("responder certificate not issued by the CA: %v", err)
	}
	ocspSigning := false
	for _, u := range c.ExtKeyUsage {
		ocspSigning = ocspSigning || u == gox509.ExtKeyUsageOCSPSigning
	}
	if !ocspSigning {
		return nil, errors.New("responder certificate lacks the OCSP-signing EKU")
	}
	if now.Before(c.NotBefore) || now.After(c.NotAfter) {
		return nil, errors.New("responder certificate not current")
	}
	return c, nil
}

// sm2OCSPSingle finds leaf's SingleResponse in the signed ResponseData.
func sm2OCSPSingle(tbsRaw []byte, leaf, issuer *cert) (*ocspAnswer, error) {
	in := cryptobyte.String(tbsRaw)
	var tbs, responses, responderID cryptobyte.String
	var ridTag cbasn1.Tag
	var produced time.Time
	if !in.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.ReadAnyASN1Element(&responderID, &ridTag) || // byName [1] or byKey [2]
		!tbs.ReadASN1GeneralizedTime(&produced) || !tbs.ReadASN1(&responses, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed response data")
	}
	for !responses.Empty() {
		var single, certID, hashAlg, nameHash, keyHash, statusRaw cryptobyte.String
		var hashOID asn1.ObjectIdentifier
		serial := new(big.Int)
		var statusTag cbasn1.Tag
		var a ocspAnswer
		if !responses.ReadASN1(&single, cbasn1.SEQUENCE) || !single.ReadASN1(&certID, cbasn1.SEQUENCE) ||
			!certID.ReadASN1(&hashAlg, cbasn1.SEQUENCE) || !hashAlg.ReadASN1ObjectIdentifier(&hashOID) ||
			!certID.ReadASN1(&nameHash, cbasn1.OCTET_STRING) || !certID.ReadASN1(&keyHash, cbasn1.OCTET_STRING) ||
			!certID.ReadASN1Integer(serial) || !single.ReadAnyASN1(&statusRaw, &statusTag) ||
			!single.ReadASN1GeneralizedTime(&a.ThisUpdate) {
			return nil, errors.New("malformed single response")
		}
		var next cryptobyte.String
		var hasNext bool
		if !single.ReadOptionalASN1(&next, &hasNext, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
			(hasNext && !next.ReadASN1GeneralizedTime(&a.NextUpdate)) {
			return nil, errors.New("malformed nextUpdate")
		}
		if serial.Cmp(leaf.SerialNumber) != 0 || !issuerMatches(hashOID, nameHash, keyHash, issuer) {
			continue
		}
		switch statusTag {
		case cbasn1.Tag(0).ContextSpecific():
			a.Status = ocsp.Good
		case cbasn1.Tag(1).Constructed().ContextSpecific():
			a.Status = ocsp.Revoked
		case cbasn1.Tag(2).ContextSpecific():
			a.Status = ocsp.Unknown
		default:
			return nil, errors.New("malformed certificate status")
		}
		return &a, nil
	}
	return nil, errors.New("no response for the certificate")
}

// issuerMatches checks a CertID's issuer hashes against issuer.
func issuerMatches(hashOID asn1.ObjectIdentifier, nameHash, keyHash []byte, issuer *cert) bool {
	var h func([]byte) []byte
	switch {
	case hashOID.Equal(oidSHA1):
		h = func(b []byte) []byte { s := sha1.Sum(b); return s[:] } //nolint:gosec // see import
	case hashOID.Equal(oidSHA256):
		h = func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	case hashOID.Equal(oidSM3):
		h = func(b []byte) []byte { s := sm3.Sum(b); return s[:] }
	default:
		return false
	}
	spki := cryptobyte.String(issuer.RawSubjectPublicKeyInfo)
	var inner cryptobyte.String
	var key asn1.BitString
	if !spki.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.SkipASN1(cbasn1.SEQUENCE) || !inner.ReadASN1BitString(&key) {
		return false
	}
	return bytes.Equal(h(issuer.RawSubject), nameHash) && bytes.Equal(h(key.RightAlign()), keyHash)
}
