package clients_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// changes records the IDs the service reported changed.
type changes struct {
	mu  sync.Mutex
	ids []string
}

func (c *changes) add(id string) { c.mu.Lock(); c.ids = append(c.ids, id); c.mu.Unlock() }
func (c *changes) get() []string { c.mu.Lock(); defer c.mu.Unlock(); return slices.Clone(c.ids) }

// backends runs test against a service over the memory store and over
// Redis (REDIS_URL, or a private redis-server).
func backends(t *testing.T, test func(t *testing.T, st store.Store, s *clients.Service, ch *changes)) {
	newService := func(st store.Store) (*clients.Service, *changes) {
		ch := &changes{}
		return clients.New(clients.NewOverlay(st, nil), clients.Options{Connectors: []string{"password"}, Changed: ch.add}), ch
	}
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		st := memory.New()
		t.Cleanup(func() { st.Close() })
		s, ch := newService(st)
		test(t, st, s, ch)
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		o, err := goredis.ParseURL(redistest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		c := goredis.NewClient(o)
		t.Cleanup(func() { c.Close() })
		prefix := redistest.Prefix(t)
		redistest.CleanupKeys(t, c, prefix)
		st := redisstore.New(c, prefix)
		s, ch := newService(st)
		test(t, st, s, ch)
	})
}

func TestServiceLifecycle(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store, s *clients.Service, ch *changes) {
		ctx := t.Context()
		m := with(webClient(), func(m *clients.Metadata) { m.ID = "portal"; m.Scopes = []string{"gjj:id_number"} })
		c, secret, err := s.Create(ctx, m, clients.CreateOptions{By: clients.Admin})
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) != 43 || c.SecretHash != secrets.Hash(secret) || c.Source != store.SourceAdmin {
			t.Fatalf("secret %q (hash %s), source %q: want 43 characters, secrets.Hash, admin", secret, c.SecretHash, c.Source)
		}
		got, err := s.Get(ctx, "portal")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != m.Name || !slices.Equal(got.Scopes, m.Scopes) || got.SecretHash != c.SecretHash || got.CreatedAt.IsZero() {
			t.Fatalf("stored %+v", got)
		}
		if mo := clients.MetadataOf(got); mo.ID != "portal" || mo.AuthMethod != "client_secret_basic" || !slices.Equal(mo.RedirectURIs, m.RedirectURIs) {
			t.Errorf("MetadataOf = %+v", mo)
		}

		// Update keeps the secret and replaces everything else.
		up := with(webClient(), func(m *clients.Metadata) {
			m.Name, m.RedirectURIs, m.AuthMethod = "renamed", []string{"https://new.example.cn/cb"}, "client_secret_post"
		})
		u, newSecret, err := s.Update(ctx, "portal", up, clients.Admin)
		if err != nil {
			t.Fatal(err)
		}
		if newSecret != "" || u.SecretHash != c.SecretHash || u.Name != "renamed" || u.AuthMethod != "client_secret_post" ||
			len(u.Scopes) != 0 || u.Source != store.SourceAdmin || !u.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("updated: %+v (new secret %q)", u, newSecret)
		}
		if _, _, err := s.Update(ctx, "portal", with(up, func(m *clients.Metadata) { m.ID = "other" }), clients.Admin); !hasField(err, "client_id") {
			t.Errorf("update renaming the ID: %v", err)
		}
		if _, _, err := s.Update(ctx, "portal", with(up, func(m *clients.Metadata) { m.RedirectURIs = []string{"http://x.example.cn/"} }), clients.Admin); !hasField(err, "redirect_uris[0]") {
			t.Errorf("update with a bad redirect URI: %v", err)
		}
		if _, _, err := s.Update(ctx, "nobody", up, clients.Admin); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update unknown: %v", err)
		}

		// Public and back: the secret goes, then a new one is issued.
		pub, sec, err := s.Update(ctx, "portal", with(up, func(m *clients.Metadata) { m.AuthMethod = "none" }), clients.Admin)
		if err != nil || sec != "" || pub.SecretHash != "" {
			t.Fatalf("made public: hash %q, secret %q, %v", pub.SecretHash, sec, err)
		}
		if _, err := s.RotateSecret(ctx, "portal"); !errors.Is(err, clients.ErrPublicClient) {
			t.Errorf("rotate a public client: %v", err)
		}
		conf, sec, err := s.Update(ctx, "portal", up, clients.Admin)
		if err != nil || sec == "" || conf.SecretHash != secrets.Hash(sec) {
			t.Fatalf("made confidential: hash %q, secret %q, %v", conf.SecretHash, sec, err)
		}

		rotated, err := s.RotateSecret(ctx, "portal")
		if err != nil {
			t.Fatal(err)
		}
		got, _ = s.Get(ctx, "portal")
		if rotated == sec || got.SecretHash != secrets.Hash(rotated) || got.Name != "renamed" {
			t.Fatalf("after rotation: %+v", got)
		}
		if _, err := s.RotateSecret(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rotate unknown: %v", err)
		}

		if err := s.Delete(ctx, "portal"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "portal"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("get deleted: %v", err)
		}
		if err := s.Delete(ctx, "portal"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete again: %v", err)
		}
		want := []string{"portal", "portal", "portal", "portal", "portal"} // update, public, confidential, rotate, delete
		if got := ch.get(); !slices.Equal(got, want) {
			t.Errorf("changes reported %v, want %v", got, want)
		}
	})
}

func TestServiceDuplicateIDChangesNothing(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store, s *clients.Service, ch *changes) {
		ctx := t.Context()
		m := with(webClient(), func(m *clients.Metadata) { m.ID = "dup" })
		first, _, err := s.Create(ctx, m, clients.CreateOptions{By: clients.Admin})
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := s.Create(ctx, with(m, func(m *clients.Metadata) { m.Name = "impostor" }), clients.CreateOptions{By: clients.Registration})
		if !errors.Is(err, store.ErrConflict) || secret != "" {
			t.Fatalf("duplicate: %v (secret %q), want ErrConflict", err, secret)
		}
		got, err := s.Get(ctx, "dup")
		if err != nil || got.Name != first.Name || got.SecretHash != first.SecretHash || got.Source != store.SourceAdmin {
			t.Fatalf("after the refused duplicate: %+v, %v", got, err)
		}
	})
}

func TestServiceListPages(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store, s *clients.Service, ch *changes) {
		ctx := t.Context()
		var want []string
		for i := range 7 {
			id := fmt.Sprintf("c%02d", i)
			want = append(want, id)
			if _, _, err := s.Create(ctx, with(webClient(), func(m *clients.Metadata) { m.ID = id }), clients.CreateOptions{By: clients.Admin}); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		cursor, pages := "", 0
		for {
			page, next, err := s.List(ctx, cursor, 3)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, c := range page {
				got = append(got, c.ID)
			}
			if next == "" || pages > 5 {
				break
			}
			cursor = next
		}
		if pages != 3 || !slices.Equal(got, want) {
			t.Fatalf("%d pages of %v, want 3 of %v", pages, got, want)
		}
		all, next, err := s.List(ctx, "", 0)
		if err != nil || len(all) != 7 || next != "" {
			t.Fatalf("default limit: %d clients, next %q, %v", len(all), next, err)
		}
	})
}

// TestConfigClientsReadOnly: the configuration file is the only source
// of its clients, so the APIs must not change them.
func TestConfigClientsReadOnly(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store, _ *clients.Service, _ *changes) {
		ctx := t.Context()
		cfg := &store.Client{ID: "from-config", Name: "配置", AuthMethod: "client_secret_basic", ApplicationType: "web",
			SecretHash: secrets.Hash("s"), RedirectURIs: []string{"https://a.example.cn/cb"}, GrantTypes: []string{"authorization_code"},
			Source: store.SourceConfig}
		static, err := clients.NewStatic([]config.Client{{ID: cfg.ID, Name: cfg.Name, Secret: "s", AuthMethod: cfg.AuthMethod,
			ApplicationType: cfg.ApplicationType, RedirectURIs: cfg.RedirectURIs, GrantTypes: cfg.GrantTypes}})
		if err != nil {
			t.Fatal(err)
		}
		ch := &changes{}
		s := clients.New(clients.NewOverlay(st, static), clients.Options{Connectors: []string{"password"}, Changed: ch.add})
		if _, _, err := s.Update(ctx, cfg.ID, webClient(), clients.Admin); !errors.Is(err, clients.ErrReadOnly) {
			t.Errorf("update: %v", err)
		}
		if _, err := s.RotateSecret(ctx, cfg.ID); !errors.Is(err, clients.ErrReadOnly) {
			t.Errorf("rotate: %v", err)
		}
		if err := s.Delete(ctx, cfg.ID); !errors.Is(err, clients.ErrReadOnly) {
			t.Errorf("delete: %v", err)
		}
		if _, _, err := s.Create(ctx, with(webClient(), func(m *clients.Metadata) { m.ID = cfg.ID }), clients.CreateOptions{By: clients.Admin}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("create over it: %v", err)
		}
		got, err := s.Get(ctx, cfg.ID)
		if err != nil || got.Name != cfg.Name || got.SecretHash != cfg.SecretHash {
			t.Fatalf("config client changed: %+v, %v", got, err)
		}
		if len(ch.get()) != 0 {
			t.Errorf("changes reported for refused edits: %v", ch.get())
		}
	})
}

func hasField(err error, field string) bool {
	for _, fe := range clients.FieldErrors(err) {
		if fe.Field == field {
			return true
		}
	}
	return false
}
