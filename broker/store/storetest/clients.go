package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var clientTests = []test{
	{"PutGetReplaceDelete", testClientLifecycle},
	{"ListPagesInIDOrder", testClientListPages},
	{"ListEmpty", testClientListEmpty},
	{"CreateRefusesTakenID", testClientCreateConflict},
	{"CreateRace", testClientCreateRace},
	{"UpdateReadModifyWrite", testClientUpdate},
	{"UpdateUnknownOrDeleted", testClientUpdateMissing},
	{"UpdatesNotLost", testClientUpdateRace},
	{"SourceAndRegistrationTokenKept", testClientNewFields},
}

func newClient(id string) *store.Client {
	n := now()
	return &store.Client{
		ID:                     id,
		Name:                   "住房公积金网上服务",
		SecretHash:             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		AuthMethod:             "client_secret_basic",
		ApplicationType:        "web",
		RedirectURIs:           []string{"https://rp.example/callback"},
		PostLogoutRedirectURIs: []string{"https://rp.example/"},
		GrantTypes:             []string{"authorization_code", "refresh_token"},
		Scopes:                 []string{"unit"},
		Connectors:             []string{"password", "x509"},
		AccessTokenLifetime:    10 * time.Minute,
		IDTokenLifetime:        5 * time.Minute,
		RefreshTokenLifetime:   8 * time.Hour,
		CreatedAt:              n,
		UpdatedAt:              n,
	}
}

func testClientLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(newID("client"))
	must(t, "put", s.PutClient(ctx, c))
	got, err := s.GetClient(ctx, c.ID)
	must(t, "get", err)
	sameJSON(t, "get", got, c)

	up := *c
	up.Name, up.RedirectURIs = "renamed", []string{"https://rp.example/cb2"}
	must(t, "replace", s.PutClient(ctx, &up))
	got, err = s.GetClient(ctx, c.ID)
	must(t, "get replaced", err)
	sameJSON(t, "replaced", got, &up)
	list, next, err := s.ListClients(ctx, "", 10)
	must(t, "list", err)
	if next != "" || len(list) != 1 {
		t.Fatalf("list after replace: %d clients, next %q; want the one client once", len(list), next)
	}
	sameJSON(t, "listed", list[0], &up)

	_, err = s.GetClient(ctx, newID("client"))
	wantErr(t, "get unknown", err, store.ErrNotFound)
	must(t, "delete", s.DeleteClient(ctx, c.ID))
	_, err = s.GetClient(ctx, c.ID)
	wantErr(t, "get deleted", err, store.ErrNotFound)
	wantErr(t, "delete again", s.DeleteClient(ctx, c.ID), store.ErrNotFound)
	list, _, err = s.ListClients(ctx, "", 10)
	must(t, "list after delete", err)
	if len(list) != 0 {
		t.Fatalf("list after delete: %d clients", len(list))
	}
}

func testClientListPages(t *testing.T, s store.Store) {
	ctx := t.Context()
	var ids []string
	for i := range 26 {
		ids = append(ids, fmt.Sprintf("client-%02d", i))
	}
	for _, i := range rand.Perm(len(ids)) { // insertion order must not matter
		must(t, "put", s.PutClient(ctx, newClient(ids[i])))
	}
	must(t, "delete", s.DeleteClient(ctx, ids[7]))
	want := slices.Delete(slices.Clone(ids), 7, 8) // 25 clients

	var got []string
	cursor, pages := "", 0
	for {
		page, next, err := s.ListClients(ctx, cursor, 10)
		must(t, "list", err)
		pages++
		if len(page) > 10 {
			t.Fatalf("page %d: %d clients, limit 10", pages, len(page))
		}
		for _, c := range page {
			got = append(got, c.ID)
		}
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatalf("more pages than 25 clients need; cursors %q…", next)
		}
		cursor = next
	}
	if pages != 3 || !slices.Equal(got, want) {
		t.Fatalf("%d pages of IDs %v, want 3 pages of %v", pages, got, want)
	}

	all, next, err := s.ListClients(ctx, "", 0)
	must(t, "list with default limit", err)
	if len(all) != len(want) || next != "" {
		t.Fatalf("default limit: %d clients, next %q; want all %d", len(all), next, len(want))
	}
}

func testClientListEmpty(t *testing.T, s store.Store) {
	list, next, err := s.ListClients(t.Context(), "", 10)
	must(t, "list", err)
	if len(list) != 0 || next != "" {
		t.Fatalf("empty store lists %d clients, next %q", len(list), next)
	}
}

func testClientCreateConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(newID("client"))
	must(t, "create", s.CreateClient(ctx, c))
	got, err := s.GetClient(ctx, c.ID)
	must(t, "get", err)
	sameJSON(t, "created", got, c)

	other := newClient(c.ID)
	other.Name, other.SecretHash = "impostor", ""
	wantErr(t, "create with a taken ID", s.CreateClient(ctx, other), store.ErrConflict)
	got, err = s.GetClient(ctx, c.ID)
	must(t, "get after conflict", err)
	sameJSON(t, "after conflict", got, c)
	list, _, err := s.ListClients(ctx, "", 10)
	must(t, "list", err)
	if len(list) != 1 {
		t.Fatalf("list after conflict: %d clients, want 1", len(list))
	}
	if err := s.CreateClient(ctx, newClient("")); err == nil {
		t.Fatal("create without ID succeeded")
	}

	must(t, "delete", s.DeleteClient(ctx, c.ID))
	must(t, "create again after delete", s.CreateClient(ctx, other))
}

func testClientCreateRace(t *testing.T, s store.Store) {
	id := newID("client")
	errs := concurrently(contenders, func(i int) error {
		c := newClient(id)
		c.Name = fmt.Sprintf("contender %d", i)
		return s.CreateClient(t.Context(), c)
	})
	w := oneWinner(t, "create", errs, store.ErrConflict)
	got, err := s.GetClient(t.Context(), id)
	must(t, "get", err)
	if want := fmt.Sprintf("contender %d", w); got.Name != want {
		t.Fatalf("stored %q, but %q won", got.Name, want)
	}
}

func testClientUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(newID("client"))
	must(t, "create", s.CreateClient(ctx, c))
	got, err := s.UpdateClient(ctx, c.ID, func(cur *store.Client) error {
		sameJSON(t, "update sees", cur, c)
		cur.Name, cur.Scopes = "renamed", nil
		return nil
	})
	must(t, "update", err)
	want := *c
	want.Name, want.Scopes = "renamed", nil
	sameJSON(t, "update returns", got, &want)
	stored, err := s.GetClient(ctx, c.ID)
	must(t, "get", err)
	sameJSON(t, "updated", stored, &want)

	refuse := errors.New("refused by the caller")
	_, err = s.UpdateClient(ctx, c.ID, func(cur *store.Client) error {
		cur.Name = "must not be written"
		return refuse
	})
	wantErr(t, "update returning an error", err, refuse)
	_, err = s.UpdateClient(ctx, c.ID, func(cur *store.Client) error {
		cur.ID = newID("client")
		return nil
	})
	if err == nil {
		t.Fatal("update changing the ID succeeded")
	}
	stored, err = s.GetClient(ctx, c.ID)
	must(t, "get after refused updates", err)
	sameJSON(t, "after refused updates", stored, &want)
}

func testClientUpdateMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	called := false
	f := func(*store.Client) error { called = true; return nil }
	_, err := s.UpdateClient(ctx, newID("client"), f)
	wantErr(t, "update unknown", err, store.ErrNotFound)
	c := newClient(newID("client"))
	must(t, "create", s.CreateClient(ctx, c))
	must(t, "delete", s.DeleteClient(ctx, c.ID))
	_, err = s.UpdateClient(ctx, c.ID, f)
	wantErr(t, "update deleted", err, store.ErrNotFound)
	if called {
		t.Error("update function called for a missing client")
	}
	if _, err := s.GetClient(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update brought a deleted client back: %v", err)
	}
}

// testClientUpdateRace: concurrent read-modify-writes each add their own
// scope; none may be lost. A few may give up with ErrConflict after the
// store's retries, and then must have written nothing.
func testClientUpdateRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(newID("client"))
	c.Scopes = nil
	must(t, "create", s.CreateClient(ctx, c))
	errs := concurrently(contenders, func(i int) error {
		_, err := s.UpdateClient(ctx, c.ID, func(cur *store.Client) error {
			cur.Scopes = append(cur.Scopes, fmt.Sprintf("s%02d", i))
			return nil
		})
		return err
	})
	got, err := s.GetClient(ctx, c.ID)
	must(t, "get", err)
	var want []string
	for i, err := range errs {
		switch {
		case err == nil:
			want = append(want, fmt.Sprintf("s%02d", i))
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("update %d: %v", i, err)
		}
	}
	have := slices.Sorted(slices.Values(got.Scopes))
	if !slices.Equal(have, want) {
		t.Fatalf("scopes %v after the updates that succeeded added %v", have, want)
	}
}

func testClientNewFields(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(newID("client"))
	c.Source, c.RegistrationTokenHash = store.SourceDynamic, "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
	must(t, "create", s.CreateClient(ctx, c))
	got, err := s.GetClient(ctx, c.ID)
	must(t, "get", err)
	if got.Source != store.SourceDynamic || got.RegistrationTokenHash != c.RegistrationTokenHash {
		t.Fatalf("source %q, registration token hash %q: not kept", got.Source, got.RegistrationTokenHash)
	}
}
