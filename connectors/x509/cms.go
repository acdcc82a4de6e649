package x509

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SHA-1 digests of CA components, over a server challenge
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"hash"
	"math/big"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// PKCS #7 / CMS (RFC 5652) object identifiers, with the GM/T 0010 ones
// Chinese CA components use for SM2.
var (
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidSignedDataSM2     = asn1.ObjectIdentifier{1, 2, 156, 10197, 6, 1, 4, 2, 2}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidDigestSHA1        = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidDigestSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidDigestSHA384      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidDigestSM3         = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 401}
)

// signedData is the part of a CMS SignedData with one signer that login
// needs.
type signedData struct {
	content     []byte // encapsulated content; nil when detached
	certs       [][]byte
	issuer      []byte   // signer's issuer (DER Name), or nil
	serial      *big.Int // signer's serial, or nil
	ski         []byte   // signer's subject key identifier, or nil
	digest      asn1.ObjectIdentifier
	signedAttrs []byte // DER of the signed attributes as a SET, or nil
	msgDigest   []byte // their messageDigest
	signature   []byte
}

// parseSignedData reads a DER ContentInfo holding a SignedData with
// exactly one SignerInfo. Anything else is refused.
func parseSignedData(der []byte) (*signedData, error) {
	bad := func(what string) (*signedData, error) {
		return nil, fmt.Errorf("%w: PKCS #7: %s", errEvidence, what)
	}
	in := cryptobyte.String(der)
	var ci, content, sd cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() || !ci.ReadASN1ObjectIdentifier(&ct) {
		return bad("not a ContentInfo")
	}
	if !ct.Equal(oidSignedData) && !ct.Equal(oidSignedDataSM2) {
		return bad("not SignedData")
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !content.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return bad("truncated")
	}
	var version int64
	var digestAlgs, encap cryptobyte.String
	if !sd.ReadASN1Integer(&version) || !sd.ReadASN1(&digestAlgs, cbasn1.SET) || !sd.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return bad("truncated SignedData")
	}
	out := &signedData{}
	var eType asn1.ObjectIdentifier
	if !encap.ReadASN1ObjectIdentifier(&eType) {
		return bad("bad encapsulated content")
	}
	if encap.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var explicit, octets cryptobyte.String
		if !encap.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) || !explicit.ReadASN1(&octets, cbasn1.OCTET_STRING) {
			return bad("bad encapsulated content")
		}
		out.content = append([]byte{}, octets...)
	}
	if sd.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var certs cryptobyte.String
		if !sd.ReadASN1(&certs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return bad("bad certificates")
		}
		for !certs.Empty() {
			var c cryptobyte.String
			if !certs.ReadASN1Element(&c, cbasn1.SEQUENCE) {
				return bad("bad certificate")
			}
			if len(out.certs) >= DefaultMaxChain*2 {
				return bad("too many certificates")
			}
			out.certs = append(out.certs, append([]byte{}, c...))
		}
	}
	if !sd.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return bad("bad CRLs")
	}
	var infos, si cryptobyte.String
	if !sd.ReadASN1(&infos, cbasn1.SET) || !infos.ReadASN1(&si, cbasn1.SEQUENCE) || !infos.Empty() {
		return bad("want exactly one SignerInfo")
	}
	if !si.ReadASN1Integer(&version) {
		return bad("bad SignerInfo")
	}
	switch {
	case si.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, name cryptobyte.String
		out.serial = new(big.Int)
		if !si.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&name, cbasn1.SEQUENCE) || !ias.ReadASN1Integer(out.serial) {
			return bad("bad signer identifier")
		}
		out.issuer = append([]byte{}, name...)
	case si.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var ski cryptobyte.String
		if !si.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
			return bad("bad signer identifier")
		}
		out.ski = append([]byte{}, ski...)
	default:
		return bad("bad signer identifier")
	}
	var digAlg cryptobyte.String
	if !si.ReadASN1(&digAlg, cbasn1.SEQUENCE) || !digAlg.ReadASN1ObjectIdentifier(&out.digest) {
		return bad("bad digest algorithm")
	}
	if si.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var attrs cryptobyte.String
		if !si.ReadASN1(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return bad("bad signed attributes")
		}
		// RFC 5652 §5.4: the signature covers the attributes DER-encoded
		// as a SET OF, not with the [0] IMPLICIT tag they travel under.
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(attrs) })
		out.signedAttrs = b.BytesOrPanic()
		for !attrs.Empty() {
			var attr, values cryptobyte.String
			var typ asn1.ObjectIdentifier
			if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&typ) || !attr.ReadASN1(&values, cbasn1.SET) {
				return bad("bad signed attribute")
			}
			if typ.Equal(oidAttrMessageDigest) {
				var md cryptobyte.String
				if out.msgDigest != nil || !values.ReadASN1(&md, cbasn1.OCTET_STRING) || !values.Empty() {
					return bad("bad messageDigest attribute")
				}
				out.msgDigest = append([]byte{}, md...)
			}
		}
		if out.msgDigest == nil {
			return bad("signed attributes without messageDigest")
		}
	}
	var sigAlg, sig cryptobyte.String
	if !si.ReadASN1(&sigAlg, cbasn1.SEQUENCE) || !si.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return bad("bad signature")
	}
	out.signature = append([]byte{}, sig...)
	if _, err := newDigest(out.digest); err != nil {
		return nil, err
	}
	return out, nil
}

// signedBy reports whether c is the signer sd names.
func (sd *signedData) signedBy(c *cert) bool {
	if sd.ski != nil {
		return bytes.Equal(sd.ski, c.SubjectKeyId)
	}
	return bytes.Equal(sd.issuer, c.RawIssuer) && sd.serial.Cmp(c.SerialNumber) == 0
}

// verify checks that c signed exactly content.
func (sd *signedData) verify(c *cert, content []byte) error {
	if !sd.signedBy(c) {
		return fmt.Errorf("%w: PKCS #7 signer is not the certificate presented", errSignature)
	}
	if sd.content != nil && !bytes.Equal(sd.content, content) {
		return fmt.Errorf("%w: PKCS #7 signs other content", errSignature)
	}
	h, _ := newDigest(sd.digest)
	signed := content
	if sd.signedAttrs != nil {
		h.Write(content)
		if !bytes.Equal(h.Sum(nil), sd.msgDigest) {
			return fmt.Errorf("%w: PKCS #7 messageDigest does not match", errSignature)
		}
		h.Reset()
		signed = sd.signedAttrs
	}
	switch pub := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if sm2.IsSM2PublicKey(pub) {
			// SM2 hashes with SM3 over Z ‖ message itself (default ID).
			if !sm2.VerifyASN1WithSM2(pub, nil, signed, sd.signature) {
				return fmt.Errorf("%w: PKCS #7 SM2 signature", errSignature)
			}
			return nil
		}
		h.Write(signed)
		if !ecdsa.VerifyASN1(pub, h.Sum(nil), sd.signature) {
			return fmt.Errorf("%w: PKCS #7 ECDSA signature", errSignature)
		}
		return nil
	case *rsa.PublicKey:
		h.Write(signed)
		hid, ok := cryptoHash(sd.digest)
		if !ok || rsa.VerifyPKCS1v15(pub, hid, h.Sum(nil), sd.signature) != nil {
			return fmt.Errorf("%w: PKCS #7 RSA signature", errSignature)
		}
		return nil
	}
	return fmt.Errorf("%w: unsupported key type %T", errSignature, c.PublicKey)
}

func newDigest(oid asn1.ObjectIdentifier) (hash.Hash, error) {
	switch {
	case oid.Equal(oidDigestSHA256):
		return sha256.New(), nil
	case oid.Equal(oidDigestSHA384):
		return sha512.New384(), nil
	case oid.Equal(oidDigestSHA1):
		return sha1.New(), nil //nolint:gosec // see import
	case oid.Equal(oidDigestSM3):
		return sm3.New(), nil
	}
	return nil, fmt.Errorf("%w: PKCS #7: unsupported digest algorithm %s", errEvidence, oid)
}

func cryptoHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidDigestSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidDigestSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidDigestSHA1):
		return crypto.SHA1, true
	}
	return 0, false
}
