package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// impatient are client options that give up at once, for tests that expect
// Redis to be unreachable.
func impatient(addr string) *goredis.Options {
	return &goredis.Options{
		Addr:          addr,
		DialTimeout:   300 * time.Millisecond,
		ReadTimeout:   300 * time.Millisecond,
		WriteTimeout:  300 * time.Millisecond,
		PoolTimeout:   300 * time.Millisecond,
		MaxRetries:    -1,
		DialerRetries: 1,
	}
}

// Every operation reports an unreachable Redis as store.ErrUnavailable (the
// broker answers 503), never as "not found" or "not revoked".
func TestUnavailableWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	c := goredis.NewClient(impatient(closedAddr(t)))
	t.Cleanup(func() { c.Close() })
	s := redisstore.New(c, "gjjidtest:down:")
	hour := time.Now().Add(time.Hour)
	ops := []struct {
		name string
		do   func(ctx context.Context) error
	}{
		{"Ping", s.Ping},
		{"CreateAuthRequest", func(ctx context.Context) error {
			return s.CreateAuthRequest(ctx, &store.AuthRequest{ID: "ar"}, time.Minute)
		}},
		{"GetAuthRequest", func(ctx context.Context) error { _, err := s.GetAuthRequest(ctx, "ar"); return err }},
		{"CompleteAuthRequest", func(ctx context.Context) error {
			return s.CompleteAuthRequest(ctx, "ar", store.Authentication{Subject: "sub"})
		}},
		{"SaveCode", func(ctx context.Context) error { return s.SaveCode(ctx, "code", "ar", time.Minute) }},
		{"ConsumeCode", func(ctx context.Context) error { _, err := s.ConsumeCode(ctx, "code", time.Minute); return err }},
		{"CreateRefreshToken", func(ctx context.Context) error {
			return s.CreateRefreshToken(ctx, "h", &store.RefreshToken{FamilyID: "f", ExpiresAt: hour, Generation: 1})
		}},
		{"GetRefreshToken", func(ctx context.Context) error {
			_, err := s.GetRefreshToken(ctx, "f", store.PresentedRefresh{Hash: "h", Generation: 1})
			return err
		}},
		{"RotateRefreshToken", func(ctx context.Context) error {
			return s.RotateRefreshToken(ctx, "f", store.PresentedRefresh{Hash: "h", Generation: 1}, "h2",
				&store.RefreshToken{ExpiresAt: hour, Generation: 2})
		}},
		{"RevokeRefreshFamily", func(ctx context.Context) error { return s.RevokeRefreshFamily(ctx, "f") }},
		{"RevokeGrant", func(ctx context.Context) error { return s.RevokeGrant(ctx, "g", hour) }},
		{"AccessTokenRevoked", func(ctx context.Context) error {
			_, err := s.AccessTokenRevoked(ctx, "jti", "g", "sub", time.Now())
			return err
		}},
		{"GetSession", func(ctx context.Context) error { _, err := s.GetSession(ctx, "sess"); return err }},
		{"Incr", func(ctx context.Context) error { _, err := s.Incr(ctx, "k", time.Minute); return err }},
		{"Count", func(ctx context.Context) error { _, err := s.Count(ctx, "k"); return err }},
		{"GetKeySet", func(ctx context.Context) error { _, _, err := s.GetKeySet(ctx); return err }},
		{"SwapKeySet", func(ctx context.Context) error { _, err := s.SwapKeySet(ctx, 0, []byte("x")); return err }},
		{"ListClients", func(ctx context.Context) error { _, _, err := s.ListClients(ctx, "", 10); return err }},
		{"PutPerson", func(ctx context.Context) error { return s.PutPerson(ctx, &store.Person{ID: "p", IDHash: "h"}) }},
		{"FindPersonByIDHash", func(ctx context.Context) error { _, err := s.FindPersonByIDHash(ctx, "h"); return err }},
		{"AgentsOfPerson", func(ctx context.Context) error { _, err := s.AgentsOfPerson(ctx, "p"); return err }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			err := op.do(t.Context())
			if !errors.Is(err, store.ErrUnavailable) {
				t.Fatalf("error %v, want ErrUnavailable", err)
			}
			if errors.Is(err, store.ErrNotFound) {
				t.Fatalf("error %v also claims ErrNotFound", err)
			}
			var netErr net.Error
			if !errors.As(err, &netErr) {
				t.Fatalf("error %v lost its cause", err)
			}
		})
	}
}

func TestOpenUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err := redisstore.Open(ctx, redisstore.Options{
		URL: "redis://" + closedAddr(t) + "/0", Timeout: 200 * time.Millisecond, KeyPrefix: "gjjidtest:",
	})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("open: %v, want ErrUnavailable", err)
	}
}

// While Redis cannot be reached, scripted operations change nothing; when
// a script's reply is lost on the way back, the script has run whole. And
// once Redis is back, the same store works again by itself.
func TestNoHalfWritesWhenRedisGoesAway(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	direct := newClient(t, url)
	p := startProxy(t, direct.Options().Addr)
	o := impatient(p.addr())
	o.DB, o.Username, o.Password = direct.Options().DB, direct.Options().Username, direct.Options().Password
	viaProxy := goredis.NewClient(o)
	t.Cleanup(func() { viaProxy.Close() })

	prefix := redistest.Prefix(t)
	redistest.CleanupKeys(t, direct, prefix)
	s := redisstore.New(viaProxy, prefix)
	check := redisstore.New(direct, prefix) // sees Redis as it is
	ctx := t.Context()

	person := &store.Person{ID: "p1", IDHash: "id-1", MobileHash: "mobile-1", Status: "active"}
	must(t, "put person", s.PutPerson(ctx, person))
	hour := time.Now().Add(time.Hour)
	must(t, "create refresh token", s.CreateRefreshToken(ctx, "h1", &store.RefreshToken{FamilyID: "f", ExpiresAt: hour, Generation: 1}))
	must(t, "save code", s.SaveCode(ctx, "code", "ar", time.Minute))

	moved := *person
	moved.MobileHash = "mobile-2"

	p.setMode(modeRefuse)
	for name, err := range map[string]error{
		"put person": s.PutPerson(ctx, &moved),
		"rotate": s.RotateRefreshToken(ctx, "f", store.PresentedRefresh{Hash: "h1", Generation: 1}, "h2",
			&store.RefreshToken{ExpiresAt: hour, Generation: 2}),
		"consume code": func() error { _, err := s.ConsumeCode(ctx, "code", time.Minute); return err }(),
	} {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("%s while Redis is unreachable: %v, want ErrUnavailable", name, err)
		}
	}
	wantPerson(t, check, person, "mobile-1", "mobile-2")
	if _, err := check.GetRefreshToken(ctx, "f", store.PresentedRefresh{Hash: "h1", Generation: 1}); err != nil {
		t.Fatalf("refresh token after a failed rotation: %v", err)
	}
	if _, err := check.ConsumeCode(ctx, "code", time.Minute); err != nil {
		t.Fatalf("code after a failed consumption: %v", err)
	}

	p.setMode(modeLoseScriptReplies)
	if err := s.PutPerson(ctx, &moved); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("put person with its reply lost: %v, want ErrUnavailable", err)
	}
	wantPerson(t, check, &moved, "mobile-2", "mobile-1")

	p.setMode(modePass)
	back := moved
	back.MobileHash = "mobile-3"
	must(t, "put person once Redis is back", s.PutPerson(ctx, &back))
	wantPerson(t, check, &back, "mobile-3", "mobile-2")
}

// wantPerson checks that the person, its ID-hash index and its mobile index
// all agree, and that the former mobile hash is free.
func wantPerson(t *testing.T, s store.Store, want *store.Person, mobile, formerMobile string) {
	t.Helper()
	ctx := t.Context()
	got, err := s.GetPerson(ctx, want.ID)
	must(t, "get person", err)
	if got.MobileHash != mobile {
		t.Fatalf("person has mobile %q, want %q", got.MobileHash, mobile)
	}
	for what, find := range map[string]func() (*store.Person, error){
		"by ID hash":     func() (*store.Person, error) { return s.FindPersonByIDHash(ctx, want.IDHash) },
		"by mobile hash": func() (*store.Person, error) { return s.FindPersonByMobileHash(ctx, mobile) },
	} {
		p, err := find()
		if err != nil || p.ID != want.ID {
			t.Fatalf("find %s: %v, %v; want person %s", what, p, err, want.ID)
		}
	}
	if _, err := s.FindPersonByMobileHash(ctx, formerMobile); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("former mobile %q still indexed: %v", formerMobile, err)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

type proxyMode int32

const (
	modePass              proxyMode = iota
	modeRefuse                      // accept and hang up at once
	modeLoseScriptReplies           // forward everything, drop replies from the first script on
	modeFreeze                      // accept and read, never answer: a Redis stopped with SIGSTOP
)

// proxy is a TCP relay in front of Redis that can stop relaying.
type proxy struct {
	ln     net.Listener
	target string
	mode   atomic.Int32
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { ln.Close(); p.dropConns() })
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// setMode switches modes and cuts every open connection, so pooled client
// connections do not outlive the old mode.
func (p *proxy) setMode(m proxyMode) {
	p.mode.Store(int32(m))
	p.dropConns()
}

func (p *proxy) dropConns() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
}

func (p *proxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		mode := proxyMode(p.mode.Load())
		if mode == modeRefuse {
			client.Close()
			continue
		}
		if mode == modeFreeze {
			p.track(client)
			go func() { _, _ = io.Copy(io.Discard, client) }()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.track(client, server)
		var lose atomic.Bool
		go func() { // client → server
			defer server.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := client.Read(buf)
				if n > 0 {
					if mode == modeLoseScriptReplies && bytes.Contains(bytes.ToLower(buf[:n]), []byte("evalsha")) {
						lose.Store(true) // before the script can answer
					}
					if _, werr := server.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
		go func() { // server → client
			defer client.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := server.Read(buf)
				if n > 0 && !lose.Load() {
					if _, werr := client.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					if !errors.Is(err, io.EOF) {
						return
					}
					return
				}
			}
		}()
	}
}
