package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/gjjid/gjjid/config"
)

// DevP12Password protects the demo unit certificate's PKCS#12 file
// (unit.p12) that `gjjid dev` writes; like every dev secret it is public.
const DevP12Password = "gjjid-dev"

// devCertificates makes the certificate-login demo for `gjjid dev`: a demo
// CA (ECDSA P-256) with an empty CRL served on a loopback port, a server
// certificate for the mTLS listener at mtlsAddr, and a unit certificate of
// the demo unit, written as PEM (and the unit's also as PKCS#12) into a
// fresh folder. It adds the x509
// connector ("cert", link policy auto) and the mTLS listener to cfg and
// returns the banner lines and a stop function, which also removes the
// folder: it holds the demo CA's private key, and a dev run must leave no
// keys behind in the temporary directory. On an error the folder is gone
// already.
func devCertificates(cfg *config.Config, mtlsAddr string) (string, func(), error) {
	nop := func() {}
	if mtlsAddr == "" {
		return "", nop, nil
	}
	if mtlsAddr == "auto" {
		// A free loopback port: several dev brokers (tests) may run at once.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nop, err
		}
		mtlsAddr = l.Addr().String()
		l.Close()
	}
	host, _, err := net.SplitHostPort(mtlsAddr)
	if err != nil {
		return "", nop, fmt.Errorf("--mtls-addr %q: %w", mtlsAddr, err)
	}
	dir, err := os.MkdirTemp("", "gjjid-dev-certs-")
	if err != nil {
		return "", nop, err
	}
	removeDir := func() { _ = os.RemoveAll(dir) }
	done := false
	defer func() {
		if !done {
			removeDir()
		}
	}()
	now := time.Now()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gjjid dev demo CA", Organization: []string{"gjjid dev"}, Country: []string{"CN"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return "", nop, err
	}
	ca, _ := x509.ParseCertificate(caDER)
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(365 * 24 * time.Hour)}, ca, caKey)
	if err != nil {
		return "", nop, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nop, err
	}
	crlSrv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-crl")
		_, _ = w.Write(crl)
	})}
	go func() { _ = crlSrv.Serve(ln) }()
	stop := func() { _ = crlSrv.Close(); removeDir() }
	crlURL := "http://" + ln.Addr().String() + "/demo.crl"

	issue := func(tmpl *x509.Certificate, name string, p12 bool) error {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(365*24*time.Hour)
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		k8, _ := x509.MarshalPKCS8PrivateKey(key)
		if err := writePEM(filepath.Join(dir, name+".pem"), "CERTIFICATE", der); err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, name+"-key.pem"), "PRIVATE KEY", k8); err != nil {
			return err
		}
		if !p12 {
			return nil
		}
		// The same certificate and key (with the demo CA) as PKCS#12, for
		// browsers and OS certificate stores.
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return err
		}
		pfx, err := pkcs12.Modern.Encode(key, cert, []*x509.Certificate{ca}, DevP12Password)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".p12"), pfx, 0o600)
	}
	err = issue(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, "server", false)
	if err == nil {
		err = issue(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "041@N" + DemoUnitID + "@" + DemoUnitName + "@00000001",
			Organization: []string{DemoUnitName}, Country: []string{"CN"}}, CRLDistributionPoints: []string{crlURL},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, "unit", true)
	}
	if err == nil {
		err = writePEM(filepath.Join(dir, "ca.pem"), "CERTIFICATE", caDER)
	}
	if err != nil {
		stop()
		return "", nop, err
	}
	var n yaml.Node
	src := fmt.Sprintf("link_policy: auto\ncas:\n  - name: gjjid-dev\n    roots_file: %q\n    revocation:\n      crl_urls: [%q]\n    extract:\n      - cn_regex: '^041@N([0-9A-Z]{18})@'\n        type: credit_code\n",
		filepath.Join(dir, "ca.pem"), crlURL)
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		stop()
		return "", nop, err
	}
	cfg.Connectors = append(cfg.Connectors, config.Connector{ID: "cert", Type: "x509", Name: "单位数字证书登录", NameEN: "Unit certificate", Config: *n.Content[0]})
	cfg.Listen.MTLS = config.MTLS{Addr: mtlsAddr, TLSCertFile: filepath.Join(dir, "server.pem"), TLSKeyFile: filepath.Join(dir, "server-key.pem")}
	done = true
	return devCertBanner(dir, mtlsAddr), stop, nil
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

// devCertBanner tells how to log in with the demo unit certificate.
func devCertBanner(dir, mtlsAddr string) string {
	const verifier = "gjjid-dev-demo-verifier-0123456789-abcdefghijklmnop"
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {DemoClientID}, "response_type": {"code"}, "scope": {"openid"}, "state": {"demo"},
		"redirect_uri": {"http://127.0.0.1:5555/callback"}, "idp_hint": {"cert"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	var b strings.Builder
	fmt.Fprintf(&b, `  certificate login (connector cert, 单位数字证书登录)
    mTLS listener   https://%[2]s  (asks for a client certificate)
    demo files      %[1]s  (ca.pem; unit.pem + unit-key.pem, and unit.p12, for the demo unit)
    log in with curl (prints the redirect with the code; PKCE verifier %[3]s):
      curl -sk -L -c /tmp/gjjid.jar -b /tmp/gjjid.jar --cert %[1]s/unit.pem --key %[1]s/unit-key.pem -o /dev/null -w '%%{url_effective}\n' 'https://%[2]s/authorize?%[4]s'
    PKCS#12 for a browser: %[1]s/unit.p12  (password %[5]s)
    challenge page: choose both unit files under "demo signer"

`, dir, mtlsAddr, verifier, q.Encode(), DevP12Password)
	return b.String()
}
