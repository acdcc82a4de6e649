package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// TestFrozenRedisWaitIsBoundedPerRequest: against a Redis that accepts
// connections but never answers (frozen with SIGSTOP), one command gives
// up within the timeout despite go-redis's retries, and a request's
// sequential commands share one timeout: the last ones fail at once.
func TestFrozenRedisWaitIsBoundedPerRequest(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	direct := newClient(t, url)
	p := startProxy(t, direct.Options().Addr)
	const timeout = 300 * time.Millisecond
	const slack = 250 * time.Millisecond
	o := direct.Options()
	prefix := redistest.Prefix(t)
	redistest.CleanupKeys(t, direct, prefix)
	s, err := redisstore.Open(t.Context(), redisstore.Options{URL: "redis://" + p.addr() + "/" + strconv.Itoa(o.DB),
		Username: o.Username, Password: o.Password, Timeout: timeout, KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	must(t, "save code", s.SaveCode(t.Context(), "code", "ar", time.Minute))

	p.setMode(modeFreeze)
	get := func(ctx context.Context) error { _, err := s.GetAuthRequest(ctx, "ar"); return err }

	start := time.Now()
	if err := get(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("one command, no budget: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > timeout+slack {
		t.Fatalf("one command waited %v, want at most %v", d, timeout+slack)
	}

	ctx := store.WithWaitBudget(t.Context())
	start = time.Now()
	for i := range 4 {
		if err := get(ctx); !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("command %d of one request: %v, want ErrUnavailable", i, err)
		}
	}
	if d := time.Since(start); d > timeout+slack {
		t.Fatalf("four commands of one request waited %v together, want at most %v", d, timeout+slack)
	}

	p.setMode(modePass)
	if _, err := s.ConsumeCode(store.WithWaitBudget(t.Context()), "code", time.Minute); err != nil {
		t.Fatalf("a new request once Redis answers again: %v", err)
	}
}
