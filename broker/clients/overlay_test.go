package clients_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

func TestNewStatic(t *testing.T) {
	t.Parallel()
	web := config.Client{ID: "web", Name: "网厅", Secret: "s3cret", AuthMethod: "client_secret_post", ApplicationType: "web",
		RedirectURIs: []string{"https://wt.example.cn/cb"}, GrantTypes: []string{"authorization_code"}}
	app := config.Client{ID: "app", Name: "App", Public: true, ApplicationType: "native", RedirectURIs: []string{"http://127.0.0.1/cb"}}
	hashed := config.Client{ID: "svc", Name: "后台", SecretHash: secrets.Hash("x"), GrantTypes: []string{"client_credentials"}}
	for _, tt := range []struct {
		name    string
		in      []config.Client
		wantErr string // "" when accepted
	}{
		{"none", nil, ""},
		{"three kinds", []config.Client{web, app, hashed}, ""},
		{"no ID", []config.Client{web, {Name: "x", Public: true}}, "clients[1].id: required"},
		{"repeated ID", []config.Client{web, app, web}, `clients[2].id: duplicate client id "web"`},
		{"confidential without secret", []config.Client{{ID: "bare", Name: "x"}}, "clients[0] (bare): a confidential client needs secret or secret_hash"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := clients.NewStatic(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.in {
				if !s.Has(c.ID) {
					t.Errorf("Has(%q) = false", c.ID)
				}
			}
			if s.Has("other") {
				t.Error(`Has("other") = true`)
			}
		})
	}
}

// TestStaticConversion: what the provider gets of a configured client —
// the plain secret only as its hash, public clients with auth method
// none, marked as from the configuration file — and that callers cannot
// change the file's copy through what they were given.
func TestStaticConversion(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, err := clients.NewStatic([]config.Client{
		{ID: "web", Name: "网厅", Secret: "s3cret", AuthMethod: "client_secret_post", RedirectURIs: []string{"https://wt.example.cn/cb"}},
		{ID: "svc", Name: "后台", SecretHash: secrets.Hash("x")},
		{ID: "app", Name: "App", Public: true, ApplicationType: "native"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ov := clients.NewOverlay(failingStore{}, s)
	for _, tt := range []struct{ id, hash, auth string }{
		{"web", secrets.Hash("s3cret"), "client_secret_post"},
		{"svc", secrets.Hash("x"), ""},
		{"app", "", "none"},
	} {
		c, err := ov.GetClient(ctx, tt.id)
		if err != nil {
			t.Fatalf("%s: %v", tt.id, err)
		}
		if c.SecretHash != tt.hash || c.AuthMethod != tt.auth || c.Source != store.SourceConfig {
			t.Errorf("%s: hash %q, auth %q, source %q; want %q, %q, config", tt.id, c.SecretHash, c.AuthMethod, c.Source, tt.hash, tt.auth)
		}
	}
	c, _ := ov.GetClient(ctx, "web")
	c.Name, c.RedirectURIs[0] = "changed", "https://evil.example/cb"
	if again, _ := ov.GetClient(ctx, "web"); again.Name != "网厅" || again.RedirectURIs[0] != "https://wt.example.cn/cb" {
		t.Errorf("a caller changed the configured client: %+v", again)
	}
}

// failingStore answers every client read with an outage: configured
// clients must be served without it.
type failingStore struct{ store.Clients }

func (failingStore) GetClient(context.Context, string) (*store.Client, error) {
	return nil, store.ErrUnavailable
}

// overlayFixture stores what a store shared with other instances and
// earlier versions may hold, under a configuration file that defines
// b-shared, c-file, e-file and g-file.
func overlayFixture(t *testing.T, st store.Store) *clients.Service {
	t.Helper()
	ctx := t.Context()
	for _, c := range []*store.Client{
		{ID: "a-admin", Name: "admin-made", Source: store.SourceAdmin},
		{ID: "b-shared", Name: "stored twin", Source: store.SourceAdmin},
		{ID: "d-stale", Name: "an old file's", Source: store.SourceConfig},     // written by a version before the overlay
		{ID: "e-file", Name: "old copy of e-file", Source: store.SourceConfig}, // likewise, still in the file
		{ID: "f-dyn", Name: "registered", Source: store.SourceDynamic},
	} {
		c.AuthMethod, c.ApplicationType, c.RedirectURIs = "client_secret_basic", "web", []string{"https://x.example.cn/cb"}
		if err := st.PutClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	static := staticOf(t, "g-file", "e-file", "c-file", "b-shared")
	return clients.New(clients.NewOverlay(st, static), clients.Options{Connectors: []string{"password"}})
}

func staticOf(t *testing.T, ids ...string) *clients.Static {
	t.Helper()
	var file []config.Client
	for _, id := range ids {
		file = append(file, config.Client{ID: id, Name: "file's " + id, Public: true, AuthMethod: "none"})
	}
	static, err := clients.NewStatic(file)
	if err != nil {
		t.Fatal(err)
	}
	return static
}

// TestOverlayLookup: the file wins over a stored client of the same ID,
// stored clients are found, and stale stored copies of configured clients
// are never served, though administrators see them for what they are.
func TestOverlayLookup(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store, _ *clients.Service, _ *changes) {
		s := overlayFixture(t, st)
		ctx := t.Context()
		for _, tt := range []struct {
			id          string
			served      string // name the provider gets; "" for unknown
			shown       string // name administrators see; "" for unknown
			shownSource string
		}{
			{"a-admin", "admin-made", "admin-made", store.SourceAdmin},
			{"b-shared", "file's b-shared", "file's b-shared", store.SourceConfig},
			{"c-file", "file's c-file", "file's c-file", store.SourceConfig},
			{"d-stale", "", "an old file's", clients.SourceStaleConfig},
			{"e-file", "file's e-file", "file's e-file", store.SourceConfig},
			{"f-dyn", "registered", "registered", store.SourceDynamic},
			{"nosuch", "", "", ""},
		} {
			served, err := s.Served(ctx, tt.id)
			switch {
			case tt.served == "" && !errors.Is(err, store.ErrNotFound):
				t.Errorf("Served(%s) = %+v, %v; want not found", tt.id, served, err)
			case tt.served != "" && (err != nil || served.Name != tt.served):
				t.Errorf("Served(%s) = %+v, %v; want %q", tt.id, served, err, tt.served)
			}
			shown, err := s.Get(ctx, tt.id)
			switch {
			case tt.shown == "" && !errors.Is(err, store.ErrNotFound):
				t.Errorf("Get(%s) = %+v, %v; want not found", tt.id, shown, err)
			case tt.shown != "" && (err != nil || shown.Name != tt.shown || shown.Source != tt.shownSource):
				t.Errorf("Get(%s) = %+v, %v; want %q from %s", tt.id, shown, err, tt.shown, tt.shownSource)
			}
		}
		hidden, err := clients.NewOverlay(st, staticOf(t, "b-shared", "c-file", "e-file")).Shadowed(ctx)
		if err != nil || len(hidden) != 1 || hidden[0].ID != "b-shared" || hidden[0].Name != "stored twin" {
			t.Errorf("Shadowed = %v, %v; want the stored b-shared only (e-file's stored copy is config's own)", hidden, err)
		}
	})
}

// TestOverlayListPages: every page size lists configured and stored
// clients once each, in ID order, shadowed stored copies left out.
func TestOverlayListPages(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store, _ *clients.Service, _ *changes) {
		s := overlayFixture(t, st)
		want := "a-admin:admin b-shared:config c-file:config d-stale:stale_config e-file:config f-dyn:dynamic g-file:config"
		for limit := 1; limit <= 8; limit++ {
			var got []string
			pages := 0
			for cursor := ""; ; {
				page, next, err := s.List(t.Context(), cursor, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit {
					t.Fatalf("limit %d: a page of %d", limit, len(page))
				}
				pages++
				for _, c := range page {
					got = append(got, c.ID+":"+c.Source)
				}
				if next == "" || pages > 10 {
					break
				}
				cursor = next
			}
			if strings.Join(got, " ") != want {
				t.Errorf("limit %d: listed %v, want %s", limit, got, want)
			}
			if wantPages := (7 + limit - 1) / limit; pages != wantPages {
				t.Errorf("limit %d: %d pages, want %d", limit, pages, wantPages)
			}
		}
	})
}

// TestStaleConfigCopies: a stored copy of a configured client that an
// earlier version wrote cannot be edited back into service, only deleted.
func TestStaleConfigCopies(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store, _ *clients.Service, _ *changes) {
		s := overlayFixture(t, st)
		ctx := t.Context()
		if _, _, err := s.Update(ctx, "d-stale", webClient(), clients.Admin); !errors.Is(err, clients.ErrStaleConfig) ||
			!strings.Contains(err.Error(), "client d-stale is a stored copy") {
			t.Errorf("update: %v", err)
		}
		if _, err := s.RotateSecret(ctx, "d-stale"); !errors.Is(err, clients.ErrStaleConfig) {
			t.Errorf("rotate: %v", err)
		}
		if _, _, err := s.Create(ctx, with(webClient(), func(m *clients.Metadata) { m.ID = "d-stale" }), clients.CreateOptions{By: clients.Admin}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("create over it: %v", err)
		}
		if got, err := st.GetClient(ctx, "d-stale"); err != nil || got.Name != "an old file's" || got.Source != store.SourceConfig {
			t.Fatalf("refused edits changed the stored copy: %+v, %v", got, err)
		}
		if err := s.Delete(ctx, "d-stale"); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := s.Get(ctx, "d-stale"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
		// The stored copy of e-file is shadowed by the file's client: the
		// APIs answer for the file's.
		if err := s.Delete(ctx, "e-file"); !errors.Is(err, clients.ErrReadOnly) {
			t.Errorf("delete e-file: %v", err)
		}
	})
}

// TestCreateCollidesWithConfig: no caller may take a configured client's
// ID, even though the store does not hold it.
func TestCreateCollidesWithConfig(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store, _ *clients.Service, _ *changes) {
		s := overlayFixture(t, st)
		for _, by := range []clients.Caller{clients.Admin, clients.Registration} {
			_, secret, err := s.Create(t.Context(), with(webClient(), func(m *clients.Metadata) { m.ID = "c-file" }), clients.CreateOptions{By: by})
			if !errors.Is(err, store.ErrConflict) || secret != "" || !strings.Contains(err.Error(), "configuration file") {
				t.Errorf("caller %d: %v (secret %q), want a conflict naming the configuration file", by, err, secret)
			}
		}
		if _, err := st.GetClient(t.Context(), "c-file"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("refused create stored something: %v", err)
		}
	})
}
