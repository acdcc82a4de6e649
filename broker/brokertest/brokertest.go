// Package brokertest starts complete gjjid brokers for tests: the real
// store (memory or Redis), keys, connectors and HTTP server on a loopback
// port, with the demo client, service client and agent.
package brokertest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/broker"
	"github.com/gjjid/gjjid/broker/ops"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/config/demo"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/builtin"
)

// Demo values every test broker has.
const (
	ClientID       = demo.ClientID
	ClientSecret   = demo.ClientSecret
	RedirectURI    = "http://127.0.0.1:5555/callback"
	RedirectURI2   = "http://127.0.0.1:5555/callback2"
	PostLogoutURI  = "http://127.0.0.1:5555/logged-out"
	NativeClientID = demo.NativeClientID
	ServiceID      = demo.ServiceID
	ServiceSecret  = demo.ServiceSecret
	UnitID         = demo.UnitID
	UnitName       = demo.UnitName
	AgentName      = demo.AgentName
	AgentIDNumber  = demo.AgentIDNumber
	AgentMobile    = demo.AgentMobile
	AgentPassword  = demo.AgentPassword
	Unit2ID        = demo.Unit2ID
	Unit2Name      = demo.Unit2Name
	Agent2Name     = demo.Agent2Name
	Agent2IDNumber = demo.Agent2IDNumber
	Agent2Mobile   = demo.Agent2Mobile
	Agent2Password = demo.Agent2Password
	AdminID        = demo.AdminID
	AdminSecret    = demo.AdminSecret
)

// Options tune a test broker.
type Options struct {
	// Redis, when set, selects the Redis store with these addresses: one
	// URL (redis://…) or cluster node addresses.
	RedisURL   string
	RedisAddrs []string
	KeyPrefix  string
	// Listener to serve on (so two brokers can share an issuer); nil: a new
	// loopback port.
	Listener net.Listener
	// Edit may change the configuration before it is validated.
	Edit func(*config.Config)
	// Log receives the broker's logs (JSON, masked as in production, at
	// LogLevel: info when empty); nil discards them.
	Log      io.Writer
	LogLevel string
	// Connectors adds connector types (test fakes) to the registry.
	Connectors connectors.Registry
}

// Broker is a running test broker.
type Broker struct {
	*broker.Broker
	URL  string // the issuer
	stop func()
}

// Stop shuts the broker down before the test ends (as an instance that
// is restarted or replaced); its Redis keys stay until the test ends.
func (b *Broker) Stop() { b.stop() }

func secret(name string) string {
	h := sha256.Sum256([]byte("brokertest " + name))
	return base64.StdEncoding.EncodeToString(h[:])
}

// Config returns the test configuration for issuer.
func Config(issuer string, o Options) *config.Config {
	cfg := &config.Config{
		Issuer: issuer,
		Secrets: config.Secrets{KeyEncryptionKey: secret("kek"), TokenKey: secret("token"), Pepper: secret("pepper"),
			IDHashKey: secret("idhash"), CookieKey: secret("cookie")},
		Clients: []config.Client{
			{ID: ClientID, Name: "示例业务系统", Secret: ClientSecret, RedirectURIs: []string{RedirectURI, RedirectURI2},
				PostLogoutRedirectURIs: []string{PostLogoutURI}, GrantTypes: []string{"authorization_code", "refresh_token"}},
			{ID: NativeClientID, Name: "网厅PC端", Public: true, ApplicationType: "native",
				RedirectURIs: []string{"http://127.0.0.1/callback"}, GrantTypes: []string{"authorization_code", "refresh_token"}},
			{ID: ServiceID, Name: "示例后台服务", Secret: ServiceSecret, GrantTypes: []string{"client_credentials"}, Scopes: []string{"gjj:api"}},
			{ID: AdminID, Name: "管理后台", Secret: AdminSecret, GrantTypes: []string{"client_credentials"}, Scopes: []string{"gjjid:admin"}},
		},
		Connectors: []config.Connector{{ID: "password", Type: "password", Name: "经办人登录", NameEN: "Agent sign-in", Config: yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}}},
		Seed: &config.Seed{
			Units: []config.SeedUnit{{ID: UnitID, CustomerNo: "510100000001", Name: UnitName},
				{ID: Unit2ID, CustomerNo: "510100000002", Name: Unit2Name}},
			Persons: []config.SeedPerson{
				{Name: AgentName, IDType: "resident_id", IDNumber: AgentIDNumber, Mobile: AgentMobile,
					Password: AgentPassword, Units: []string{UnitID}, Roles: []string{"unit_admin"}},
				{Name: Agent2Name, IDType: "resident_id", IDNumber: Agent2IDNumber, Mobile: Agent2Mobile,
					Password: Agent2Password, Units: []string{Unit2ID}, Roles: []string{"unit_admin"}}},
		},
		Log: config.Log{Level: "warn"},
	}
	if o.RedisURL != "" || len(o.RedisAddrs) > 0 {
		cfg.Store = config.Store{Type: "redis", Redis: config.Redis{URL: o.RedisURL, Addrs: o.RedisAddrs, KeyPrefix: o.KeyPrefix}}
	}
	cfg.ApplyDefaults()
	if o.Edit != nil {
		o.Edit(cfg)
	}
	return cfg
}

// Registry is the built-in registry (connectors/builtin), as main uses
// it, plus o.Connectors.
func Registry(o Options) connectors.Registry {
	reg := builtin.Registry()
	for typ, f := range o.Connectors {
		reg[typ] = f
	}
	return reg
}

// LogBuffer collects what a test broker or command writes (Options.Log, a
// command's stdout and stderr); other goroutines may write while the test
// reads it.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Start runs a broker until the test ends.
func Start(t testing.TB, o Options) *Broker {
	t.Helper()
	ln := o.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	issuer := "http://" + ln.Addr().String()
	cfg := Config(issuer, o)
	cfg.Listen.Addr = ln.Addr().String()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	switch {
	case o.Log != nil:
		level := o.LogLevel
		if level == "" {
			level = "info"
		}
		log = ops.NewLogger(level, "json", o.Log)
	case testing.Verbose():
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	// 1 MiB argon2id instead of 64: the suite logs in hundreds of times
	// under the race detector (the production parameters are tested in
	// broker/accounts).
	b, err := broker.Open(ctx, cfg, log, broker.WithPasswordHashMemory(1024))
	if err != nil {
		cancel()
		t.Fatalf("open broker: %v", err)
	}
	if err := b.Mount(Registry(o)); err != nil {
		cancel()
		t.Fatalf("mount broker: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, ln) }()
	stop := sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("broker run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("broker did not shut down")
		}
		b.Close()
	})
	t.Cleanup(func() {
		stop()
		deleteTestKeys(t, cfg)
	})
	return &Broker{Broker: b, URL: issuer, stop: stop}
}

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// deleteTestKeys removes what a Redis-backed test broker wrote: only keys
// under its own prefix, never anything else on a shared Redis.
func deleteTestKeys(t testing.TB, cfg *config.Config) {
	r := cfg.Store.Redis
	if cfg.Store.Type != "redis" || !strings.HasPrefix(r.KeyPrefix, "gjjidtest:") {
		return
	}
	var c goredis.UniversalClient
	if r.URL != "" {
		o, err := goredis.ParseURL(r.URL)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		c = goredis.NewClient(o)
	} else {
		c = goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: r.Addrs})
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := redistest.DeleteKeys(ctx, c, r.KeyPrefix); err != nil {
		t.Errorf("cleanup of keys under %s: %v", r.KeyPrefix, err)
	}
}
