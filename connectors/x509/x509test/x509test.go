// Package x509test is a test certification authority: RSA, ECDSA P-256
// or SM2 roots that issue CFCA-style and OID-style unit certificates,
// serve a CRL and answer OCSP over httptest servers, and sign challenges
// raw or as PKCS #7. Everything is generated in memory per test.
package x509test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// Alg is a key algorithm.
type Alg string

// Algorithms.
const (
	RSA   Alg = "rsa"
	ECDSA Alg = "ecdsa"
	SM2   Alg = "sm2"
)

// GM/T 0015 extension OIDs.
var (
	OIDCreditCode = asn1.ObjectIdentifier{1, 2, 156, 10260, 4, 1, 3}
	OIDOrgCode    = asn1.ObjectIdentifier{1, 2, 156, 10260, 4, 1, 4}
	OIDIDNumber   = asn1.ObjectIdentifier{1, 2, 156, 10260, 4, 1, 1}
)

var serials atomic.Int64

func nextSerial() *big.Int { return big.NewInt(1000 + serials.Add(1)) }

// NewKey makes a key of alg.
func NewKey(t testing.TB, alg Alg) crypto.Signer {
	t.Helper()
	var (
		k   crypto.Signer
		err error
	)
	switch alg {
	case RSA:
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case SM2:
		k, err = sm2.GenerateKey(rand.Reader)
	default:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func create(t testing.TB, tmpl, parent *x509.Certificate, pub any, priv crypto.Signer) (*x509.Certificate, []byte) {
	t.Helper()
	var (
		der []byte
		err error
	)
	if _, ok := priv.(*sm2.PrivateKey); ok {
		der, err = smx509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	} else {
		der, err = x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	}
	if err != nil {
		t.Fatal(err)
	}
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c.ToX509(), der
}

// CA is a test root with its CRL and OCSP endpoints.
type CA struct {
	Alg  Alg
	Cert *x509.Certificate
	DER  []byte
	Key  crypto.Signer
	// CRLURL and OCSPURL are where the CA's services listen.
	CRLURL, OCSPURL string

	mu       sync.Mutex
	revoked  map[string]bool
	crlDown  bool
	crlNext  time.Duration // nextUpdate − now of served CRLs
	now      func() time.Time
	crlFetch atomic.Int64
	ocspBad  bool  // SM2: corrupt the OCSP responses' signature
	ocspBy   *Leaf // SM2: a delegated responder signs OCSP responses
	echo     bool  // CRL and OCSP fail quoting the request
}

// SetEchoing makes the CRL and OCSP servers answer 500 with a body that
// quotes everything the request carried (URL, Authorization header, body
// in base64), as a careless server might. Tests use it to check that
// nothing the client sent reaches a log.
func (ca *CA) SetEchoing(on bool) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.echo = on
}

// echoed answers r with its echo when SetEchoing is on.
func (ca *CA) echoed(w http.ResponseWriter, r *http.Request, body []byte) bool {
	ca.mu.Lock()
	on := ca.echo
	ca.mu.Unlock()
	if on {
		http.Error(w, "request was: "+r.URL.String()+" authorization "+r.Header.Get("Authorization")+" body "+base64.StdEncoding.EncodeToString(body), http.StatusInternalServerError)
	}
	return on
}

// NewCA starts a CA named name with its CRL and OCSP servers; now is the
// clock for CRL and OCSP times (nil: time.Now).
func NewCA(t testing.TB, alg Alg, name string, now func() time.Time) *CA {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	return newCA(t, alg, name, now, nil)
}

// Intermediate starts a CA named name whose certificate ca issues, with
// CRL and OCSP servers of its own and ca's algorithm and clock: a chain
// root → intermediate → leaf, where only the root may be configured.
func (ca *CA) Intermediate(t testing.TB, name string) *CA {
	t.Helper()
	return newCA(t, ca.Alg, name, ca.now, ca)
}

// newCA makes a CA certificate signed by parent, or by itself when
// parent is nil, and starts its servers.
func newCA(t testing.TB, alg Alg, name string, now func() time.Time, parent *CA) *CA {
	t.Helper()
	key := NewKey(t, alg)
	n := now()
	tmpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: name, Organization: []string{name}, Country: []string{"CN"}},
		NotBefore: n.Add(-24 * time.Hour), NotAfter: n.Add(20 * 365 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SubjectKeyId: []byte(name)}
	ca := &CA{Alg: alg, Key: key, revoked: map[string]bool{}, crlNext: 24 * time.Hour, now: now}
	if parent == nil {
		ca.Cert, ca.DER = create(t, tmpl, tmpl, key.Public(), key)
	} else {
		ca.Cert, ca.DER = create(t, tmpl, parent.Cert, key.Public(), parent.Key)
	}
	crl := httptest.NewServer(http.HandlerFunc(ca.serveCRL))
	t.Cleanup(crl.Close)
	oc := httptest.NewServer(http.HandlerFunc(ca.serveOCSP))
	t.Cleanup(oc.Close)
	ca.CRLURL, ca.OCSPURL = crl.URL+"/ca.crl", oc.URL
	return ca
}

// PEM is the root certificate.
func (ca *CA) PEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.DER}))
}

// Revoke revokes serial in the CRL and at the OCSP responder.
func (ca *CA) Revoke(serial *big.Int) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.revoked[serial.String()] = true
}

// SetCRLDown makes the CRL server answer 503.
func (ca *CA) SetCRLDown(down bool) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.crlDown = down
}

// SetCRLNextUpdate sets nextUpdate − now of the CRLs served from now on.
func (ca *CA) SetCRLNextUpdate(d time.Duration) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.crlNext = d
}

// CRLFetches counts CRL downloads.
func (ca *CA) CRLFetches() int64 { return ca.crlFetch.Load() }

// CRL returns a signed CRL as it would be served now.
func (ca *CA) CRL() ([]byte, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	n := ca.now()
	tmpl := &x509.RevocationList{Number: big.NewInt(n.UnixNano()), ThisUpdate: n.Add(-time.Minute), NextUpdate: n.Add(ca.crlNext)}
	for s := range ca.revoked {
		v, _ := new(big.Int).SetString(s, 10)
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: v, RevocationTime: n.Add(-time.Hour)})
	}
	if ca.Alg == SM2 {
		// gmsm v0.15 still reads the deprecated field.
		for _, e := range tmpl.RevokedCertificateEntries {
			//lint:ignore SA1019 gmsm v0.15 still reads the deprecated field.
			tmpl.RevokedCertificates = append(tmpl.RevokedCertificates, pkix.RevokedCertificate{SerialNumber: e.SerialNumber, RevocationTime: e.RevocationTime})
		}
	}
	if ca.Alg == SM2 {
		return smx509.CreateRevocationList(rand.Reader, tmpl, (*smx509.Certificate)(ca.Cert), ca.Key)
	}
	return x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
}

func (ca *CA) serveCRL(w http.ResponseWriter, r *http.Request) {
	if ca.echoed(w, r, nil) {
		return
	}
	ca.mu.Lock()
	down := ca.crlDown
	ca.mu.Unlock()
	if down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	ca.crlFetch.Add(1)
	b, err := ca.CRL()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	_, _ = w.Write(b)
}

func (ca *CA) serveOCSP(w http.ResponseWriter, r *http.Request) {
	var body bytes.Buffer
	_, _ = body.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<16))
	if ca.echoed(w, r, body.Bytes()) {
		return
	}
	req, err := ocsp.ParseRequest(body.Bytes())
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ca.mu.Lock()
	status := ocsp.Good
	if ca.revoked[req.SerialNumber.String()] {
		status = ocsp.Revoked
	}
	ca.mu.Unlock()
	n := ca.now()
	var resp []byte
	if ca.Alg == SM2 {
		resp, err = ca.sm2OCSP(req, status, n)
	} else {
		resp, err = ocsp.CreateResponse(ca.Cert, ca.Cert, ocsp.Response{Status: status, SerialNumber: req.SerialNumber,
			ThisUpdate: n.Add(-time.Minute), NextUpdate: n.Add(time.Hour), RevokedAt: n.Add(-time.Hour)}, ca.Key)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(resp)
}

// SetOCSPBadSignature makes an SM2 CA's responder corrupt its signatures.
func (ca *CA) SetOCSPBadSignature(bad bool) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.ocspBad = bad
}

// SetOCSPDelegate makes an SM2 CA's OCSP responses signed by a responder
// certificate the CA issues now, with the OCSP-signing EKU when ocspEKU
// (else clientAuth), embedded in the responses.
func (ca *CA) SetOCSPDelegate(t testing.TB, ocspEKU bool) *Leaf {
	t.Helper()
	eku := x509.ExtKeyUsageClientAuth
	if ocspEKU {
		eku = x509.ExtKeyUsageOCSPSigning
	}
	d := ca.Issue(t, LeafOptions{CommonName: "OCSP responder", ExtKeyUsage: []x509.ExtKeyUsage{eku}})
	ca.SetOCSPSigner(d)
	return d
}

// SetOCSPSigner makes an SM2 CA's OCSP responses signed by l (an SM2
// certificate, of this CA or not) and carry its certificate; nil: the CA.
func (ca *CA) SetOCSPSigner(l *Leaf) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.ocspBy = l
}

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidSHA1      = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
)

// sm2OCSP builds an RFC 6960 response signed SM2-with-SM3 (default UID)
// by the CA or its delegated responder: x/crypto/ocsp cannot sign SM2.
func (ca *CA) sm2OCSP(req *ocsp.Request, status int, n time.Time) ([]byte, error) {
	ca.mu.Lock()
	bad, by := ca.ocspBad, ca.ocspBy
	ca.mu.Unlock()
	hashOID := oidSHA1
	if req.HashAlgorithm == crypto.SHA256 {
		hashOID = oidSHA256
	}
	key, subject := ca.Key.(*sm2.PrivateKey), ca.Cert.RawSubject
	if by != nil {
		key, subject = by.Key.(*sm2.PrivateKey), by.Cert.RawSubject
	}
	gt := func(b *cryptobyte.Builder, t time.Time) { b.AddASN1GeneralizedTime(t.UTC().Truncate(time.Second)) }
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(subject) })
		gt(b, n)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(hashOID)
						b.AddASN1NULL()
					})
					b.AddASN1OctetString(req.IssuerNameHash)
					b.AddASN1OctetString(req.IssuerKeyHash)
					b.AddASN1BigInt(req.SerialNumber)
				})
				if status == ocsp.Revoked {
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { gt(b, n.Add(-time.Hour)) })
				} else {
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				}
				gt(b, n.Add(-time.Minute))
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { gt(b, n.Add(time.Hour)) })
			})
		})
	})
	tbs, err := tb.Bytes()
	if err != nil {
		return nil, err
	}
	sig, err := key.SignWithSM2(rand.Reader, nil, tbs)
	if err != nil {
		return nil, err
	}
	if bad {
		sig = bytes.Clone(sig)
		sig[len(sig)-1] ^= 0x01
	}
	var bb cryptobyte.Builder
	bb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidSM2SM3) })
		b.AddASN1BitString(sig)
		if by != nil {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(by.DER) })
			})
		}
	})
	basic, err := bb.Bytes()
	if err != nil {
		return nil, err
	}
	var rb cryptobyte.Builder
	rb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidOCSPBasic)
				b.AddASN1OctetString(basic)
			})
		})
	})
	return rb.Bytes()
}

// LeafOptions shape an issued certificate; zero values give a valid
// client certificate of the CA's algorithm.
type LeafOptions struct {
	Alg          Alg // default: the CA's
	CommonName   string
	Organization string
	SerialNumber string // subject serialNumber attribute
	Extensions   []pkix.Extension
	NotBefore    time.Time
	NotAfter     time.Time
	KeyUsage     x509.KeyUsage      // default digitalSignature
	ExtKeyUsage  []x509.ExtKeyUsage // default clientAuth
	OCSP         bool               // name the CA's OCSP responder (AIA)
	CRLDP        bool               // name the CA's CRL (distribution point)
	IPs          []net.IP           // subject alternative names (server certificates)
}

// Leaf is an issued certificate with its key.
type Leaf struct {
	Cert *x509.Certificate
	DER  []byte
	Key  crypto.Signer
}

// Issue issues a certificate.
func (ca *CA) Issue(t testing.TB, o LeafOptions) *Leaf {
	t.Helper()
	alg := o.Alg
	if alg == "" {
		alg = ca.Alg
	}
	key := NewKey(t, alg)
	n := ca.now()
	if o.NotBefore.IsZero() {
		o.NotBefore = n.Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = n.Add(365 * 24 * time.Hour)
	}
	if o.KeyUsage == 0 {
		o.KeyUsage = x509.KeyUsageDigitalSignature
	}
	if o.ExtKeyUsage == nil {
		o.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	subj := pkix.Name{CommonName: o.CommonName, Country: []string{"CN"}, SerialNumber: o.SerialNumber}
	if o.Organization != "" {
		subj.Organization = []string{o.Organization}
	}
	tmpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: subj, NotBefore: o.NotBefore, NotAfter: o.NotAfter,
		KeyUsage: o.KeyUsage, ExtKeyUsage: o.ExtKeyUsage, ExtraExtensions: o.Extensions, IPAddresses: o.IPs}
	if o.OCSP {
		tmpl.OCSPServer = []string{ca.OCSPURL}
	}
	if o.CRLDP {
		tmpl.CRLDistributionPoints = []string{ca.CRLURL}
	}
	l := &Leaf{Key: key}
	l.Cert, l.DER = create(t, tmpl, ca.Cert, key.Public(), ca.Key)
	return l
}

// CFCAName is a CFCA-style enterprise CN: 041@N<credit code>@<name>@00000001.
func CFCAName(credit, name string) string { return "041@N" + credit + "@" + name + "@00000001" }

// StringExtension is a GM/T 0015-style extension: a UTF8String value.
func StringExtension(oid asn1.ObjectIdentifier, v string) pkix.Extension {
	b, _ := asn1.MarshalWithParams(v, "utf8")
	return pkix.Extension{Id: oid, Value: b}
}

// PEM is the certificate as PEM.
func (l *Leaf) PEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.DER}))
}

// KeyPEM is the private key as PKCS #8 PEM.
func (l *Leaf) KeyPEM(t testing.TB) string {
	t.Helper()
	der, err := smx509.MarshalPKCS8PrivateKey(l.Key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// Base64 is the DER certificate in base64, as CA components export it.
func (l *Leaf) Base64() string { return base64.StdEncoding.EncodeToString(l.DER) }

// SignRaw signs msg as a CA component does: RSA PKCS #1 v1.5 SHA-256,
// ECDSA SHA-256 (DER), SM2 with SM3 and the default ID. Base64.
func (l *Leaf) SignRaw(t testing.TB, msg []byte) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString(l.sign(t, msg))
}

func (l *Leaf) sign(t testing.TB, msg []byte) []byte {
	t.Helper()
	var (
		sig []byte
		err error
	)
	switch k := l.Key.(type) {
	case *sm2.PrivateKey:
		sig, err = k.SignWithSM2(rand.Reader, nil, msg)
	case *rsa.PrivateKey:
		h := sha256.Sum256(msg)
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
	case *ecdsa.PrivateKey:
		h := sha256.Sum256(msg)
		sig, err = ecdsa.SignASN1(rand.Reader, k, h[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// PKCS7Options shape a SignedData.
type PKCS7Options struct {
	Attached   bool // carry the content (else detached)
	Attributes bool // sign over signed attributes (contentType, messageDigest)
	NoCerts    bool // leave the signer's certificate out
	Content    []byte
}

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSM3           = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 401}
	oidRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECDSASHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSM2SM3        = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 501}
)

// SignPKCS7 signs msg as a PKCS #7/CMS SignedData (DER), base64.
func (l *Leaf) SignPKCS7(t testing.TB, msg []byte, o PKCS7Options) string {
	t.Helper()
	digestOID, sigOID := oidSHA256, oidRSA
	var digest []byte
	switch l.Key.(type) {
	case *sm2.PrivateKey:
		digestOID, sigOID = oidSM3, oidSM2SM3
		h := sm3.Sum(msg)
		digest = h[:]
	default:
		if _, ok := l.Key.(*ecdsa.PrivateKey); ok {
			sigOID = oidECDSASHA256
		}
		h := sha256.Sum256(msg)
		digest = h[:]
	}
	content := msg
	if o.Content != nil {
		content = o.Content
	}
	var attrs []byte
	signed := msg
	if o.Attributes {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidContentType)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
			})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidMessageDigest)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) })
			})
		})
		attrs = b.BytesOrPanic()
		signed = attrs
	}
	sig := l.sign(t, signed)
	alg := func(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { alg(b, digestOID) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidData)
					if o.Attached {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(content) })
					}
				})
				if !o.NoCerts {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(l.DER) })
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(l.Cert.RawIssuer)
							b.AddASN1BigInt(l.Cert.SerialNumber)
						})
						alg(b, digestOID)
						if attrs != nil {
							var inner cryptobyte.String
							outer := cryptobyte.String(attrs)
							outer.ReadASN1(&inner, cbasn1.SET)
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(inner) })
						}
						alg(b, sigOID)
						b.AddASN1OctetString(sig)
					})
				})
			})
		})
	})
	return base64.StdEncoding.EncodeToString(b.BytesOrPanic())
}
