package storetest

import (
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
