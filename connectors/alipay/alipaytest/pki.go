package alipaytest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"time"
)

// GenerateKey makes an RSA 2048 key, as Alipay's key tool does.
func GenerateKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// PrivateKeyPEM is k in PKCS #8 PEM.
func PrivateKeyPEM(k *rsa.PrivateKey) string {
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// PublicKeyPEM is k as a PEM SubjectPublicKeyInfo.
func PublicKeyPEM(k *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// pki is the fake's certificate hierarchy for certificate mode, shaped
// like Alipay's: a root bundle of an SM2 root (which Go cannot parse), an
// RSA root, an ECDSA P-384 root and a second RSA root; the RSA root issues
// the Alipay certificate and the application's certificate.
type pki struct {
	rootKey    *rsa.PrivateKey
	root       *x509.Certificate
	bundle     []byte // PEM
	alipayCert []byte // PEM
	alipaySN   string
	rootSN     string // alipay_root_cert_sn, computed independently of the connector
}

func certSN(c *x509.Certificate) string {
	h := md5.Sum([]byte(c.Issuer.String() + c.SerialNumber.String()))
	return hex.EncodeToString(h[:])
}

func template(cn string, ca bool) *x509.Certificate {
	sn, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	t := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: cn, OrganizationalUnit: []string{"Certification Authority"}, Organization: []string{"Ant Financial"}, Country: []string{"CN"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(10 * 365 * 24 * time.Hour),
	}
	if ca {
		t.IsCA, t.BasicConstraintsValid = true, true
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		t.KeyUsage = x509.KeyUsageDigitalSignature
	}
	return t
}

func mustCert(tmpl, parent *x509.Certificate, pub, priv any) (*x509.Certificate, []byte) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return c, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// oidP256 and oidSM2 are the DER of the two named-curve OIDs
// (1.2.840.10045.3.1.7 and 1.2.156.10197.1.301); both 10 bytes.
var (
	oidP256 = []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}
	oidSM2  = []byte{0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d}
)

// sm2Root is a self-signed root whose key is declared on the SM2 curve, so
// x509.ParseCertificate fails on it with "unsupported elliptic curve", as
// it does on Alipay's real NRCAC root.
func sm2Root() []byte {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	t := template("NRCAC SM2 Root (fake)", true)
	der, err := x509.CreateCertificate(rand.Reader, t, t, &k.PublicKey, k)
	if err != nil {
		panic(err)
	}
	der = bytes.Replace(der, oidP256, oidSM2, -1)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func newPKI(alipayKey *rsa.PrivateKey) *pki {
	p := &pki{rootKey: GenerateKey()}
	rt := template("Ant Financial Certification Authority R1 (fake)", true)
	var rootPEM []byte
	p.root, rootPEM = mustCert(rt, rt, &p.rootKey.PublicKey, p.rootKey)
	ek, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	et := template("Ant Financial Certification Authority E1 (fake)", true)
	_, ePEM := mustCert(et, et, &ek.PublicKey, ek)
	k2 := GenerateKey()
	t2 := template("iTrusChina Class 2 Root CA - G3 (fake)", true)
	t2.SignatureAlgorithm = x509.SHA256WithRSA
	root2, r2PEM := mustCert(t2, t2, &k2.PublicKey, k2)
	var b bytes.Buffer
	b.Write(sm2Root())
	b.Write(rootPEM)
	b.Write(ePEM)
	b.Write(r2PEM)
	p.bundle = b.Bytes()
	p.rootSN = certSN(p.root) + "_" + certSN(root2)
	ac, acPEM := mustCert(template("支付宝(中国)网络技术有限公司 (fake)", false), p.root, &alipayKey.PublicKey, p.rootKey)
	p.alipayCert, p.alipaySN = acPEM, certSN(ac)
	return p
}

// issue certifies an application key the way the console does after the
// developer uploads a CSR.
func (p *pki) issue(appID string, pub *rsa.PublicKey) (*x509.Certificate, []byte) {
	t := template(appID, false)
	t.Subject = pkix.Name{CommonName: appID, OrganizationalUnit: []string{"Alipay"}, Organization: []string{"某某住房公积金中心"}, Country: []string{"CN"}}
	return mustCert(t, p.root, pub, p.rootKey)
}
