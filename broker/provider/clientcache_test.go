package provider

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// countingLookup knows one client and counts the lookups.
type countingLookup struct{ calls int }

func (l *countingLookup) GetClient(_ context.Context, id string) (*store.Client, error) {
	l.calls++
	if id != "portal" {
		return nil, fmt.Errorf("client %q: %w", id, store.ErrNotFound)
	}
	return &store.Client{ID: id, Name: "单位网厅"}, nil
}

// TestClientCacheReadsThroughLookup: the cache asks its ClientLookup (the
// broker's overlay of configured and stored clients), at most once per TTL
// unless told to forget, and never caches an unknown client.
func TestClientCacheReadsThroughLookup(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	type step struct {
		do        string // get, forget or wait
		id        string
		wantCalls int
		wantErr   error
	}
	for _, tt := range []struct {
		name  string
		steps []step
	}{
		{"cached within the TTL", []step{{"get", "portal", 1, nil}, {"get", "portal", 1, nil}}},
		{"read again after forget", []step{{"get", "portal", 1, nil}, {"forget", "portal", 1, nil}, {"get", "portal", 2, nil}}},
		{"read again after the TTL", []step{{"get", "portal", 1, nil}, {"wait", "", 1, nil}, {"get", "portal", 2, nil}}},
		{"unknown not cached", []step{{"get", "gone", 1, store.ErrNotFound}, {"get", "gone", 2, store.ErrNotFound}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := &countingLookup{}
			clock := now
			cc := &clientCache{lookup: l, ttl: 5 * time.Second, now: func() time.Time { return clock }, entries: map[string]cachedClient{}}
			for i, s := range tt.steps {
				switch s.do {
				case "get":
					c, err := cc.get(t.Context(), s.id)
					if !errors.Is(err, s.wantErr) || (err == nil && c.c.Name != "单位网厅") {
						t.Fatalf("step %d: get %s = %v, %v; want error %v", i, s.id, c, err, s.wantErr)
					}
				case "forget":
					cc.forget(s.id)
				case "wait":
					clock = clock.Add(6 * time.Second)
				}
				if l.calls != s.wantCalls {
					t.Fatalf("step %d (%s): %d lookups, want %d", i, s.do, l.calls, s.wantCalls)
				}
			}
		})
	}
}

// TestNewNeedsClients: without a client lookup the provider would find no
// configured client; New refuses rather than serve a partial registry.
func TestNewNeedsClients(t *testing.T) {
	t.Parallel()
	if _, err := New(nil, nil, nil, Options{}, nil); err == nil {
		t.Fatal("New without Options.Clients succeeded")
	}
}
