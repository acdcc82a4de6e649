package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/oauth2/clientcredentials"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

func secret64() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// TestServeWithRedisConfig runs `gjjid serve` on a configuration file with
// the Redis store and secrets from the environment, as production does.
func TestServeWithRedisConfig(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, name := range []string{"KEK", "TOKEN", "PEPPER", "IDHASH", "COOKIE"} {
		t.Setenv("T_"+name, secret64())
	}
	t.Setenv("T_SVC_SECRET", "s3cret-for-the-test")
	redisURL, prefix := redistest.URL(t), redistest.Prefix(t)
	t.Setenv("T_REDIS", redisURL)
	opts, err := goredis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	admin := goredis.NewClient(opts)
	t.Cleanup(func() { admin.Close() })
	redistest.CleanupKeys(t, admin, prefix)
	cfg := `issuer: http://` + addr + `
listen: {addr: "` + addr + `"}
store:
  type: redis
  redis: {url: "${T_REDIS}", key_prefix: "` + prefix + `"}
secrets:
  key_encryption_key: ${T_KEK}
  token_key: ${T_TOKEN}
  pepper: ${T_PEPPER}
  id_hash_key: ${T_IDHASH}
  cookie_key: ${T_COOKIE}
log: {level: warn}
clients:
  - id: svc
    name: 服务
    secret: ${T_SVC_SECRET}
    grant_types: [client_credentials]
    scopes: [gjj:api]
connectors:
  - {id: password, type: password, name: 经办人登录}
`
	path := filepath.Join(t.TempDir(), "gjjid.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var errb bt.LogBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", path}, &errb, &errb) }()
	issuer := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(issuer + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i > 200 {
			t.Fatalf("serve did not become ready: %v\n%s", err, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cc := clientcredentials.Config{ClientID: "svc", ClientSecret: "s3cret-for-the-test", TokenURL: issuer + "/oauth/token", Scopes: []string{"gjj:api"}}
	if _, err := cc.Token(context.Background()); err != nil {
		t.Errorf("client_credentials: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if strings.Contains(errb.String(), "s3cret-for-the-test") {
		t.Error("a client secret reached the logs")
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("issuer: http://127.0.0.1:1\nstore: {type: redis}\n"), 0o600)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--config", path}, &out, &errb); code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"store.redis", "secrets.key_encryption_key"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("error lacks %q:\n%s", want, errb.String())
		}
	}
}
