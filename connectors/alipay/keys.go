package alipay

import (
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParsePrivateKey reads an RSA private key as Alipay's key tool writes it:
// PKCS #1 or PKCS #8, in PEM or as bare Base64 (pasted without armour).
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	der, err := derOf(s, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("not an RSA key (%T): Alipay's RSA2 needs RSA", k)
		}
		return checkSize(rk)
	}
	rk, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, errors.New("neither a PKCS #8 nor a PKCS #1 RSA private key")
	}
	return checkSize(rk)
}

func checkSize(k *rsa.PrivateKey) (*rsa.PrivateKey, error) {
	if k.N.BitLen() < 2048 {
		return nil, fmt.Errorf("RSA key of %d bits: RSA2 needs at least 2048", k.N.BitLen())
	}
	return k, nil
}

// ParsePublicKey reads the Alipay public key (public-key mode): an X.509
// SubjectPublicKeyInfo in PEM or bare Base64, as the console shows it.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	der, err := derOf(s, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if rk, err2 := x509.ParsePKCS1PublicKey(der); err2 == nil {
			return rk, nil
		}
		return nil, fmt.Errorf("not a public key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("not an RSA public key (%T)", k)
	}
	return rk, nil
}

// derOf returns the DER of the first PEM block, or decodes bare Base64.
func derOf(s, what string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		b, _ := pem.Decode([]byte(s))
		if b == nil {
			return nil, fmt.Errorf("malformed PEM (%s)", what)
		}
		return b.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil || len(der) == 0 {
		return nil, fmt.Errorf("neither PEM nor Base64 (%s)", what)
	}
	return der, nil
}

// CertSN is Alipay's certificate serial: the lower-case hex MD5 of the
// issuer DN (RFC 2253, as Go's pkix.Name.String writes it) followed by the
// decimal serial number (docs/connectors-alipay-wechat.md#alipay-certificate-mode).
func CertSN(c *x509.Certificate) string {
	h := md5.Sum([]byte(c.Issuer.String() + c.SerialNumber.String()))
	return hex.EncodeToString(h[:])
}

// parseCert reads the first certificate of a PEM file.
func parseCert(pemText string) (*x509.Certificate, error) {
	rest := []byte(pemText)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("no PEM certificate found")
		}
		if b.Type == "CERTIFICATE" {
			return x509.ParseCertificate(b.Bytes)
		}
	}
}

// RootCertSN is alipay_root_cert_sn: the SNs of the bundle's RSA-signed
// roots (signature OID under 1.2.840.113549.1.1), joined with "_".
// Certificates Go cannot parse (the bundle's SM2 root) are skipped, as
// both Go SDKs do; ECDSA roots are parsed and left out.
func RootCertSN(bundle string) (string, error) {
	var sns []string
	rest := []byte(bundle)
	blocks := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		blocks++
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			continue // x509: unsupported elliptic curve (SM2)
		}
		if rsaSigned(c.SignatureAlgorithm) {
			sns = append(sns, CertSN(c))
		}
	}
	if blocks == 0 {
		return "", errors.New("no PEM certificate found")
	}
	if len(sns) == 0 {
		return "", errors.New("no RSA-signed root certificate in the bundle")
	}
	return strings.Join(sns, "_"), nil
}

func rsaSigned(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA,
		x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return true
	}
	return false
}
