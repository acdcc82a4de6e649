package combined_test

import (
	"errors"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/combined"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/broker/store/storetest"
)

// TestStoreMemoryMemory runs the conformance suite over two memory stores:
// the composition itself, without servers.
func TestStoreMemoryMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		s := combined.New(memory.New(), memory.New())
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestStoreRedisPostgres runs the conformance suite over Redis (hot state)
// and PostgreSQL (durable records), each test in its own key prefix and
// schema.
func TestStoreRedisPostgres(t *testing.T) {
	t.Parallel()
	redisURL, pgURL := redistest.URL(t), pgtest.URL(t)
	opts, err := goredis.ParseURL(redisURL)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	admin := goredis.NewClient(opts)
	t.Cleanup(func() { admin.Close() })
	storetest.Run(t, func(t *testing.T) store.Store {
		c := goredis.NewClient(opts)
		t.Cleanup(func() { c.Close() })
		prefix := redistest.Prefix(t)
		redistest.CleanupKeys(t, admin, prefix)
		return combined.New(redisstore.New(c, prefix), pgtest.OpenAt(t, pgURL))
	})
}

// TestDurableRecordsReachTheDurableStore checks the routing: every durable
// aggregate is written to the durable side only, and hot state to the hot
// side only.
func TestDurableRecordsReachTheDurableStore(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	hot, durable := memory.New(), memory.New()
	s := combined.New(hot, durable)
	t.Cleanup(func() { s.Close() })
	now := time.Now().UTC()

	steps := []struct {
		name  string
		write func() error
		read  func(store.Store) error
		// durableSide: the record must be on the durable side, not the hot.
		durableSide bool
	}{
		{"client", func() error { return s.PutClient(ctx, &store.Client{ID: "c1"}) },
			func(x store.Store) error { _, err := x.GetClient(ctx, "c1"); return err }, true},
		{"unit", func() error { return s.PutUnit(ctx, &store.Unit{ID: "u1", CreatedAt: now}) },
			func(x store.Store) error { _, err := x.GetUnit(ctx, "u1"); return err }, true},
		{"person", func() error { return s.PutPerson(ctx, &store.Person{ID: "p1", IDHash: "h1", CreatedAt: now}) },
			func(x store.Store) error { _, err := x.FindPersonByIDHash(ctx, "h1"); return err }, true},
		{"agent", func() error { return s.AddAgent(ctx, &store.Agent{PersonID: "p1", UnitID: "u1", CreatedAt: now}) },
			func(x store.Store) error {
				a, err := x.AgentsOfPerson(ctx, "p1")
				if err == nil && len(a) == 0 {
					err = store.ErrNotFound
				}
				return err
			}, true},
		{"link", func() error {
			return s.AddLink(ctx, &store.Link{Connector: "x509", Subject: "sha256:ab", Kind: store.LinkUnit, UnitID: "u1"})
		}, func(x store.Store) error { _, err := x.GetLink(ctx, "x509", "sha256:ab"); return err }, true},
		{"audit", func() error { _, err := s.AppendAudit(ctx, []byte(`{}`), time.Hour); return err },
			func(x store.Store) error {
				r, err := x.ReadAudit(ctx, time.Time{}, "", time.Time{}, 1)
				if err == nil && len(r) == 0 {
					err = store.ErrNotFound
				}
				return err
			}, true},
		{"key set", func() error { _, err := s.SwapKeySet(ctx, 0, []byte("sealed")); return err },
			func(x store.Store) error { _, _, err := x.GetKeySet(ctx); return err }, true},
		{"staff role", func() error { return s.GrantStaffRoles(ctx, "p1", "gjjid:admin") },
			func(x store.Store) error {
				r, err := x.StaffRoles(ctx, "p1")
				if err == nil && len(r) == 0 {
					err = store.ErrNotFound
				}
				return err
			}, true},
		{"logout delivery", func() error {
			return s.EnqueueLogouts(ctx, []*store.LogoutDelivery{{ID: "d1", ClientID: "c1", Deadline: now.Add(time.Hour)}}, now)
		}, func(x store.Store) error {
			n, err := x.PendingLogouts(ctx)
			if err == nil && n == 0 {
				err = store.ErrNotFound
			}
			return err
		}, true},
		{"value", func() error { return s.SetValue(ctx, "k", []byte("v"), time.Hour) },
			func(x store.Store) error { _, err := x.GetValue(ctx, "k"); return err }, false},
		{"session", func() error {
			return s.CreateSession(ctx, &store.Session{ID: "s1", ExpiresAt: now.Add(time.Hour)})
		}, func(x store.Store) error { _, err := x.GetSession(ctx, "s1"); return err }, false},
	}
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatalf("%s: write: %v", st.name, err)
		}
		in, out := store.Store(durable), store.Store(hot)
		if !st.durableSide {
			in, out = hot, durable
		}
		if err := st.read(in); err != nil {
			t.Errorf("%s: not on its side: %v", st.name, err)
		}
		if err := st.read(out); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: on the wrong side too (read: %v)", st.name, err)
		}
	}
}
