package main

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDevCertificateLogin follows the curl line `gjjid dev` prints: the
// demo unit certificate logs in over the mTLS listener.
func TestDevCertificateLogin(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"dev", "--addr", addr}, &out, &errb) }()
	defer func() {
		cancel()
		<-done
	}()
	curlRe := regexp.MustCompile(`--cert (\S+)/unit\.pem .* '(https://[^']+)'`)
	var m []string
	for i := 0; m == nil; i++ {
		if i > 400 {
			t.Fatalf("no curl line:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(50 * time.Millisecond)
		m = curlRe.FindStringSubmatch(out.String())
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
