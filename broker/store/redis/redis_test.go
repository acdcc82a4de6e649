package redisstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/broker/store/storetest"
)

// TestStoreStandalone runs the conformance suite against one Redis server
// (REDIS_URL, or a private redis-server) and checks that every key the
// suite's commands touched starts with the store's prefix.
func TestStoreStandalone(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	admin := newClient(t, url)
	storetest.Run(t, func(t *testing.T) store.Store {
		c := newClient(t, url)
		rec := &keyRecorder{}
		c.AddHook(rec)
		prefix := redistest.Prefix(t)
		redistest.CleanupKeys(t, admin, prefix)
		t.Cleanup(func() { rec.check(t, admin, prefix) }) // before the keys go
		return redisstore.New(c, prefix)
	})
}

// TestStoreCluster runs the conformance suite against a three-master Redis
// Cluster through Open: a script or MULTI over keys of different slots
// would fail there with CROSSSLOT.
func TestStoreCluster(t *testing.T) {
	t.Parallel()
	addrs := redistest.Cluster(t)
	admin := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { admin.Close() })
	storetest.Run(t, func(t *testing.T) store.Store {
		prefix := redistest.Prefix(t)
		s, err := redisstore.Open(t.Context(), redisstore.Options{Addrs: addrs, KeyPrefix: prefix})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		redistest.CleanupKeys(t, admin, prefix)
		return s
	})
}

func newClient(t *testing.T, url string) *goredis.Client {
	t.Helper()
	o, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	c := goredis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// keyRecorder is a go-redis hook that remembers every command sent, so a
// test can ask Redis (COMMAND GETKEYS) which keys they touched.
type keyRecorder struct {
	mu   sync.Mutex
	cmds [][]any
}

func (r *keyRecorder) add(cmds ...goredis.Cmder) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cmds {
		switch c.Name() {
		case "multi", "exec", "ping", "hello", "client", "script", "command":
			continue // no keys
		}
		r.cmds = append(r.cmds, c.Args())
	}
}

func (r *keyRecorder) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *keyRecorder) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.add(cmd)
		return next(ctx, cmd)
	}
}

func (r *keyRecorder) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.add(cmds...)
		return next(ctx, cmds)
	}
}

// check fails the test for every recorded key outside prefix.
func (r *keyRecorder) check(t *testing.T, c goredis.UniversalClient, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, args := range r.cmds {
		keys, err := c.CommandGetKeys(ctx, args...).Result()
		if err != nil {
			t.Errorf("COMMAND GETKEYS %v: %v", args, err)
			continue
		}
		for _, k := range keys {
			if !strings.HasPrefix(k, prefix) {
				t.Errorf("%v touched key %q outside the prefix %q", args[0], k, prefix)
			}
		}
	}
}

// TestStoreSentinel opens the store through Sentinel (addrs + master_name),
// as a fund's high-availability Redis is usually run, and runs the
// conformance suite over it.
func TestStoreSentinel(t *testing.T) {
	t.Parallel()
	sentinel := redistest.Sentinel(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		prefix := redistest.Prefix(t)
		s, err := redisstore.Open(t.Context(), redisstore.Options{Addrs: []string{sentinel}, MasterName: redistest.SentinelMaster, KeyPrefix: prefix})
		if err != nil {
			t.Fatalf("open through sentinel: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
