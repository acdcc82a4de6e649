package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestConfigCheck: config check exits 1 naming the YAML path of every
// schema mistake, then of every connector's own, and 0 saying ok for a
// valid file.
func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, yaml string
		wantCode   int
		want       []string // in stdout when 0, in stderr otherwise
	}{
		{"schema mistakes", `issuer: http://id.example.cn/
clients:
  - id: rp1
    secret: s
    redirect_uris: ["/cb"]
connectors:
  - id: password
    type: password
    config:
      max_failures: 0
  - id: x
    type: nosuch
`, 1, []string{"issuer:", "clients[0].redirect_uris[0]:"}},
		// Schema-valid, but the connectors' own settings are wrong: each names its path.
		{"connector mistakes", `issuer: http://127.0.0.1:5556
connectors:
  - id: password
    type: password
    config:
      max_failures: 0
  - id: x
    type: nosuch
`, 1, []string{"connectors[0].config.max_failures", "connectors[1].type"}},
		{"valid", "issuer: http://127.0.0.1:5556\nconnectors:\n  - {id: password, type: password}\n", 0, []string{"ok"}},
	} {
		file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
		if err := os.WriteFile(file, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"config", "check", file}, &out, &errb)
		if code != tc.wantCode {
			t.Fatalf("%s: exit %d, want %d; stdout %s; stderr:\n%s", tc.name, code, tc.wantCode, out.String(), errb.String())
		}
		got := errb.String()
		if tc.wantCode == 0 {
			got = out.String()
		}
		for _, want := range tc.want {
			if !strings.Contains(got, want) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, want, got)
			}
		}
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if run(context.Background(), []string{"version"}, &out, &errb) != 0 || !strings.HasPrefix(out.String(), "gjjid ") {
		t.Errorf("version: %q", out.String())
	}
	if run(context.Background(), []string{"frobnicate"}, &out, &errb) != 2 {
		t.Errorf("unknown command must exit 2")
	}
}

// TestDevServes runs `gjjid dev` and uses the demo setup it prints.
func TestDevServes(t *testing.T) {
	d := startDev(t)
	issuer := d.issuer
	var doc map[string]any
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if doc["issuer"] != issuer {
		t.Errorf("issuer = %v", doc["issuer"])
	}
	cc := clientcredentials.Config{ClientID: DemoServiceID, ClientSecret: DemoServiceSecret, TokenURL: issuer + "/oauth/token", Scopes: []string{"gjj:api"}}
	if _, err := cc.Token(context.Background()); err != nil {
		t.Errorf("demo-service client_credentials: %v", err)
	}
	for _, want := range []string{DemoClientID, DemoClientSecret, DemoAgentID, DemoAgentPassword, DemoUnitID, issuer + "/unit", issuer + "/account"} {
		if !strings.Contains(d.out.String(), want) {
			t.Errorf("banner lacks %q", want)
		}
	}
	if code := d.stop(t); code != 0 {
		t.Errorf("dev exited %d: %s", code, d.errb.String())
	}
}

// devServer is `gjjid dev` run in the test on a free loopback port.
type devServer struct {
	issuer    string
	out, errb bt.LogBuffer
	cancel    context.CancelFunc
	done      chan int

	once    sync.Once
	code    int
	stopped bool
}

// startDev runs `gjjid dev` with flags and waits until it answers /healthz. It is
// stopped at the end of the test if the test did not stop it.
func startDev(t *testing.T, flags ...string) *devServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	d := &devServer{issuer: "http://" + addr, cancel: cancel, done: make(chan int, 1)}
	go func() { d.done <- run(ctx, append([]string{"dev", "--addr", addr}, flags...), &d.out, &d.errb) }()
	t.Cleanup(func() { d.stop(t) })
	for i := 0; ; i++ {
		resp, err := http.Get(d.issuer + "/healthz")
		if err == nil {
			resp.Body.Close()
			return d
		}
		if i > 200 {
			t.Fatalf("dev server did not start: %v\n%s", err, d.errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop shuts the server down and returns its exit code.
func (d *devServer) stop(t *testing.T) int {
	t.Helper()
	d.once.Do(func() {
		d.cancel()
		select {
		case d.code = <-d.done:
			d.stopped = true
		case <-time.After(20 * time.Second):
		}
	})
	if !d.stopped {
		t.Fatal("dev did not stop")
	}
	return d.code
}
