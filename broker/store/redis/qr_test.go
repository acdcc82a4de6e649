package redisstore_test

import (
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// TestQRWatchAcrossInstances: a browser waits on one broker instance while
// the app's confirmation reaches another; the change made through one
// store wakes the watcher of the other, on one server and on a cluster.
func TestQRWatchAcrossInstances(t *testing.T) {
	t.Parallel()
	t.Run("standalone", func(t *testing.T) {
		t.Parallel()
		url := redistest.URL(t)
		admin := newClient(t, url)
		prefix := redistest.Prefix(t)
		redistest.CleanupKeys(t, admin, prefix)
		a, b := redisstore.New(newClient(t, url), prefix), redisstore.New(newClient(t, url), prefix)
		t.Cleanup(func() { a.Close(); b.Close() })
		checkWatchAcross(t, a, b)
	})
	t.Run("cluster", func(t *testing.T) {
		t.Parallel()
		addrs := redistest.Cluster(t)
		admin := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})
		t.Cleanup(func() { admin.Close() })
		prefix := redistest.Prefix(t)
		redistest.CleanupKeys(t, admin, prefix)
		open := func() *redisstore.Store {
			s, err := redisstore.Open(t.Context(), redisstore.Options{Addrs: addrs, KeyPrefix: prefix})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		checkWatchAcross(t, open(), open())
	})
}

// checkWatchAcross watches sessions on a and changes them through b; the
// sessions' IDs spread over the cluster's slots.
func checkWatchAcross(t *testing.T, a, b store.Store) {
	t.Helper()
	ctx := t.Context()
	for i := range 6 {
		q := &store.QRSession{ID: "qr-" + string(rune('a'+i)) + redistest.Prefix(t)[10:22], State: store.QRWaiting,
			ExpiresAt: time.Now().Add(time.Minute), PollHash: "poll"}
		if err := b.CreateQR(ctx, q, time.Minute); err != nil {
			t.Fatalf("create: %v", err)
		}
		woken := make(chan struct{}, 4)
		stop := a.WatchQR(q.ID, func() {
			select {
			case woken <- struct{}{}:
			default:
			}
		})
		if _, err := b.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: "app"}); err != nil {
			t.Fatalf("scan through the other instance: %v", err)
		}
		select {
		case <-woken:
		case <-time.After(5 * time.Second):
			t.Fatalf("session %s: a change through the other instance did not wake the watcher within 5s", q.ID)
		}
		got, err := a.GetQR(ctx, q.ID)
		if err != nil || got.State != store.QRScanned {
			t.Fatalf("read after the wake-up: %+v, %v", got, err)
		}
		stop()
	}
}
