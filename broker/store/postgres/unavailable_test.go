package postgres_test

import (
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

// proxy forwards a loopback port to PostgreSQL until cut, which closes
// the listener and every connection: the server is gone for the store.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, addr, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// When PostgreSQL goes away the store answers store.ErrUnavailable (the
// broker's 503), never not-found or conflict; it recovers by itself.
func TestServerGoneIsUnavailableAndRecovers(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.Schema(t, pgtest.URL(t))
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, "127.0.0.1:0", u.Host)
	addr := p.ln.Addr().String()
	u.Host = addr
	s, err := postgres.Open(t.Context(), postgres.Options{URL: u.String(), Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	must(t, s.AddUnit(ctx, &store.Unit{ID: "u1", CreatedAt: time.Now().UTC()}))

	p.cut()
	for name, op := range map[string]func() error{
		"ping":     func() error { return s.Ping(ctx) },
		"get unit": func() error { _, err := s.GetUnit(ctx, "u1"); return err },
		"add link": func() error {
			return s.AddLink(ctx, &store.Link{Connector: "c", Subject: "s", Kind: store.LinkUnit, UnitID: "u1"})
		},
		"append audit": func() error { _, err := s.AppendAudit(ctx, []byte(`{}`), time.Hour); return err },
	} {
		if err := op(); !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s with the server gone: %v, want ErrUnavailable", name, err)
		}
	}

	startProxy(t, addr, p.target)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := s.GetUnit(ctx, "u1")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
