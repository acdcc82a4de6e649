package provider

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
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

// TestClientCacheReadsThroughLookup: the cache asks its lookup at most once
// per TTL unless told to forget, and never caches an unknown client.
func TestClientCacheReadsThroughLookup(t *testing.T) {
	t.Parallel()
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
			clock := time.Unix(1_800_000_000, 0)
			cc := NewClientCache(l, 5*time.Second)
			cc.now = func() time.Time { return clock }
			for i, s := range tt.steps {
				switch s.do {
				case "get":
					c, err := cc.Client(t.Context(), s.id)
					if !errors.Is(err, s.wantErr) || (err == nil && c.Name != "单位网厅") {
						t.Fatalf("step %d: get %s = %v, %v; want error %v", i, s.id, c, err, s.wantErr)
					}
				case "forget":
					cc.Forget(s.id)
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

// TestClientCacheOverStore: over a real store, a change shows after Forget
// at once and otherwise once the TTL has passed.
func TestClientCacheOverStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	now := time.Unix(1_800_000_000, 0)
	cc := NewClientCache(st, time.Minute)
	cc.now = func() time.Time { return now }
	put := func(name string) {
		t.Helper()
		if err := st.PutClient(ctx, &store.Client{ID: "rp", Name: name, AuthMethod: "none"}); err != nil {
			t.Fatal(err)
		}
	}
	name := func() string {
		t.Helper()
		c, err := cc.Client(ctx, "rp")
		if err != nil {
			t.Fatal(err)
		}
		return c.Name
	}
	put("one")
	if got := name(); got != "one" {
		t.Fatalf("first read: %q", got)
	}
	put("two")
	if got := name(); got != "one" {
		t.Fatalf("within the TTL: %q, want the cached one", got)
	}
	cc.Forget("rp")
	if got := name(); got != "two" {
		t.Fatalf("after Forget: %q, want two", got)
	}
	put("three")
	now = now.Add(time.Minute)
	if got := name(); got != "three" {
		t.Fatalf("after the TTL: %q, want three", got)
	}
}
