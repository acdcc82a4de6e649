package provider

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
)

// TestClientCache: a change in the store shows after Forget at once and
// otherwise once the TTL has passed; an unknown client is store.ErrNotFound.
func TestClientCache(t *testing.T) {
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
	if _, err := cc.Client(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown client: %v, want store.ErrNotFound", err)
	}
}
