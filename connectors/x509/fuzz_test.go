package x509

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	gox509 "crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"regexp"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// seedCert is a small self-signed certificate for the seed corpora.
func seedCert(f *testing.F, exts []pkix.Extension) []byte {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &gox509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "041@N91510100MA61ABCD1T@x@1", SerialNumber: "91510100MA61ABCD1T"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0), ExtraExtensions: exts}
	der, err := gox509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		f.Fatal(err)
	}
	return der
}

// FuzzParseEvidence: whatever a browser or proxy posts, parsing answers
// with evidence or an error, never a panic.
func FuzzParseEvidence(f *testing.F) {
	der := seedCert(f, nil)
	f.Add(der, "", "MEUCIQ==", "", "challenge")
	f.Add([]byte{}, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "MIAGCSqGSIb3DQEHAqCAMIACAQE=", "pkcs7", "c")
	f.Add([]byte{0x30, 0x82, 0xff, 0xff}, "MIIB", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", "", "c")
	f.Fuzz(func(t *testing.T, chain []byte, certText, sig, format, challenge string) {
		var ev connectors.Evidence
		if len(chain) > 0 && len(chain)%2 == 0 {
			ev.Chain = [][]byte{chain}
		} else {
			ev = connectors.Evidence{Certificate: certText, Signature: sig, Format: format, Challenge: challenge}
		}
		if e, err := parseEvidence(ev, DefaultMaxChain); err == nil {
			if e.leaf == nil {
				t.Fatal("evidence without a leaf")
			}
			if e.cms != nil && e.leaf != nil {
				_ = e.cms.verify(e.leaf, e.challenge)
			}
			if e.raw != nil {
				_ = verifyRaw(e.leaf, e.challenge, e.raw)
			}
		}
		_, _ = parseSignedData([]byte(sig))
	})
}

// FuzzExtract: extraction rules over any extension value and subject
// answer with a checked identifier or an error.
func FuzzExtract(f *testing.F) {
	utf8Val, _ := asn1.MarshalWithParams("N91510100MA61ABCD1T", "utf8")
	f.Add(utf8Val, "041@N91510100MA61ABCD1T@name@1", "91510100MA61ABCD1T")
	f.Add([]byte("0510107199003071236"), "041@0510107199003071236@x@1", "MA6CHX0A-3")
	f.Add([]byte{0x04, 0x02, 0xff, 0xfe}, "@@@", "")
	rules := []Rule{
		{OID: asn1.ObjectIdentifier{1, 2, 156, 10260, 4, 1, 3}, Type: IDCreditCode},
		{CN: regexp.MustCompile(`^041@[N0]([0-9A-Z]{18})@`), Type: IDResident},
		{Attribute: asn1.ObjectIdentifier{2, 5, 4, 5}, Type: IDOrgCode},
	}
	f.Fuzz(func(t *testing.T, ext []byte, cn, serial string) {
		c := &gox509.Certificate{Extensions: []pkix.Extension{{Id: rules[0].OID, Value: ext}},
			Subject: pkix.Name{CommonName: cn, Names: []pkix.AttributeTypeAndValue{{Type: rules[2].Attribute, Value: serial}}}}
		x, err := extract(c, rules)
		if err == nil && x.value == "" {
			t.Fatal("empty identifier without an error")
		}
		for _, typ := range []string{IDCreditCode, IDOrgCode, IDResident} {
			_, _ = normalise(typ, serial)
		}
	})
}
