package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/tls"
	"encoding/pem"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// TestDevCertificateLogin follows the curl line `gjjid dev` prints: the
// demo unit certificate logs in over the mTLS listener.
func TestDevCertificateLogin(t *testing.T) {
	d := startDev(t)
	curlRe := regexp.MustCompile(`--cert (\S+)/unit\.pem .* '(https://[^']+)'`)
	var m []string
	for i := 0; m == nil; i++ {
		if i > 400 {
			t.Fatalf("no curl line:\n%s\n%s", d.out.String(), d.errb.String())
		}
		time.Sleep(50 * time.Millisecond)
		m = curlRe.FindStringSubmatch(d.out.String())
	}
	dir, authURL := m[1], m[2]
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "unit.pem"), filepath.Join(dir, "unit-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, InsecureSkipVerify: true}}, //nolint:gosec // the dev CA's server certificate
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host == "127.0.0.1:5555" {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if loc == nil || loc.Query().Get("code") == "" || !strings.HasPrefix(loc.String(), "http://127.0.0.1:5555/callback") {
		t.Fatalf("no code: %d %v", resp.StatusCode, loc)
	}
}

// TestDevCertificateP12 checks the PKCS#12 file `gjjid dev` writes beside
// the PEM files: it opens with the printed password and holds the same
// unit certificate and key, with the demo CA as its chain.
func TestDevCertificateP12(t *testing.T) {
	d := startDev(t)
	p12Re := regexp.MustCompile(`PKCS#12 for a browser: (\S+)/unit\.p12  \(password (\S+)\)`)
	var m []string
	for i := 0; m == nil; i++ {
		if i > 400 {
			t.Fatalf("no PKCS#12 line:\n%s\n%s", d.out.String(), d.errb.String())
		}
		time.Sleep(50 * time.Millisecond)
		m = p12Re.FindStringSubmatch(d.out.String())
	}
	dir, password := m[1], m[2]
	if password != DevP12Password {
		t.Fatalf("printed password %q, want %q", password, DevP12Password)
	}
	pfx, err := os.ReadFile(filepath.Join(dir, "unit.p12"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := pkcs12.DecodeChain(pfx, "wrong"); err == nil {
		t.Fatal("unit.p12 opens with a wrong password")
	}
	key, cert, chain, err := pkcs12.DecodeChain(pfx, password)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "unit.pem"), filepath.Join(dir, "unit-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cert.Raw, pair.Certificate[0]) {
		t.Fatal("unit.p12 certificate differs from unit.pem")
	}
	priv, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("unit.p12 key is %T", key)
	}
	if !priv.Equal(pair.PrivateKey) {
		t.Fatal("unit.p12 key differs from unit-key.pem")
	}
	if !priv.PublicKey.Equal(cert.PublicKey) {
		t.Fatal("unit.p12 key does not match its certificate")
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(caPEM)
	if blk == nil || len(chain) != 1 || !bytes.Equal(chain[0].Raw, blk.Bytes) {
		t.Fatalf("unit.p12 chain: %d certificates, want ca.pem", len(chain))
	}
	if err := cert.CheckSignatureFrom(chain[0]); err != nil {
		t.Fatalf("unit.p12 certificate not issued by its chain: %v", err)
	}
}
