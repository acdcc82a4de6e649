package x509

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	gox509 "crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
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

// FuzzParseSM2OCSP: whatever an SM2 CA's responder answers, parsing gives
// a verified answer or an error, never a panic; a changed byte of a real
// response never verifies as another status.
func FuzzParseSM2OCSP(f *testing.F) {
	ca := x509test.NewCA(f, x509test.SM2, "SM2 fuzz CA", nil)
	l := ca.Issue(f, x509test.LeafOptions{CommonName: "x", OCSP: true})
	issuer, err := parseCert(ca.DER)
	if err != nil {
		f.Fatal(err)
	}
	leaf, err := parseCert(l.DER)
	if err != nil {
		f.Fatal(err)
	}
	req, err := ocsp.CreateRequest(leaf.Certificate, issuer.Certificate, nil)
	if err != nil {
		f.Fatal(err)
	}
	resp, err := http.Post(ca.OCSPURL, "application/ocsp-request", bytes.NewReader(req))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	now := time.Now()
	if a, err := parseSM2OCSP(good, leaf, issuer, now); err != nil || a.Status != ocsp.Good {
		f.Fatalf("seed response: %+v %v", a, err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		a, err := parseSM2OCSP(der, leaf, issuer, now)
		if err == nil && a.Status != ocsp.Good {
			t.Fatalf("status %d verified from a response the CA signed as good", a.Status)
		}
	})
}
