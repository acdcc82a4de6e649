package storetest

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var counterTests = []test{
	{"IncrCountReset", testCounterIncrCountReset},
	{"IncrRestartsLifetime", testCounterIncrRestartsLifetime},
	{"ConcurrentIncrsAllCount", testCounterConcurrentIncr},
}

// count asks Count and fails on error.
func count(t *testing.T, s store.Store, key string) int64 {
	t.Helper()
	n, err := s.Count(t.Context(), key)
	must(t, "count", err)
	return n
}

func testCounterIncrCountReset(t *testing.T, s store.Store) {
	ctx := t.Context()
	key, other := newID("login:alice"), newID("login:bob")
	if n := count(t, s, key); n != 0 {
		t.Fatalf("unknown key counts %d", n)
	}
	for want := int64(1); want <= 3; want++ {
		n, err := s.Incr(ctx, key, time.Hour)
		must(t, "incr", err)
		if n != want {
			t.Fatalf("incr: %d, want %d", n, want)
		}
	}
	if n := count(t, s, key); n != 3 {
		t.Fatalf("count: %d, want 3", n)
	}
	if n := count(t, s, other); n != 0 {
		t.Fatalf("other key counts %d", n)
	}
	must(t, "reset", s.Reset(ctx, key))
	if n := count(t, s, key); n != 0 {
		t.Fatalf("count after reset: %d", n)
	}
	n, err := s.Incr(ctx, key, time.Hour)
	must(t, "incr after reset", err)
	if n != 1 {
		t.Fatalf("incr after reset: %d, want 1", n)
	}
	must(t, "reset unknown", s.Reset(ctx, other))
}

// Every Incr sets the lifetime anew: a counter that keeps being hit lives on.
func testCounterIncrRestartsLifetime(t *testing.T, s store.Store) {
	ctx := t.Context()
	key := newID("rate")
	const ttl = 1200 * time.Millisecond
	_, err := s.Incr(ctx, key, ttl)
	must(t, "incr", err)
	time.Sleep(ttl / 2)
	_, err = s.Incr(ctx, key, ttl)
	must(t, "incr again", err)
	time.Sleep(ttl/2 + 150*time.Millisecond) // past the first lifetime, well within the second
	if n := count(t, s, key); n != 2 {
		t.Fatalf("count after the first lifetime: %d, want 2", n)
	}
}

func testCounterConcurrentIncr(t *testing.T, s store.Store) {
	ctx := t.Context()
	key := newID("rate")
	errs := concurrently(contenders, func(int) error {
		_, err := s.Incr(ctx, key, time.Hour)
		return err
	})
	for _, err := range errs {
		must(t, "incr", err)
	}
	if n := count(t, s, key); n != contenders {
		t.Fatalf("count: %d, want %d", n, contenders)
	}
}
