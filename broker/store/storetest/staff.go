package storetest

import (
	"slices"
	"sync"
	"testing"

	"github.com/gjjid/gjjid/broker/store"
)

var staffTests = []test{
	{"GrantRevokeList", testStaffGrantRevokeList},
	{"ConcurrentGrantsAllKept", testStaffConcurrentGrants},
	{"RefuseBadInput", testStaffRefuseBadInput},
}

func staffRoles(t *testing.T, s store.Store, id string) []string {
	t.Helper()
	roles, err := s.StaffRoles(t.Context(), id)
	must(t, "staff roles", err)
	return roles
}

// listed returns the roles ListStaff reports for id, nil when absent.
func listed(t *testing.T, s store.Store, id string) []string {
	t.Helper()
	all, err := s.ListStaff(t.Context())
	must(t, "list staff", err)
	if !slices.IsSortedFunc(all, func(a, b *store.StaffMember) int {
		if a.PersonID < b.PersonID {
			return -1
		}
		return 1
	}) {
		t.Fatal("list staff: not in person-ID order")
	}
	for _, m := range all {
		if m.PersonID == id {
			return m.Roles
		}
	}
	return nil
}

func testStaffGrantRevokeList(t *testing.T, s store.Store) {
	ctx := t.Context()
	id := newID("person")
	if got := staffRoles(t, s, id); len(got) != 0 {
		t.Fatalf("unknown person has roles %v", got)
	}
	must(t, "grant", s.GrantStaffRoles(ctx, id, "gjjid:counter", "gjjid:admin"))
	must(t, "grant a held role again", s.GrantStaffRoles(ctx, id, "gjjid:admin"))
	want := []string{"gjjid:admin", "gjjid:counter"}
	if got := staffRoles(t, s, id); !slices.Equal(got, want) {
		t.Fatalf("roles %v, want %v (sorted, no duplicates)", got, want)
	}
	if got := listed(t, s, id); !slices.Equal(got, want) {
		t.Fatalf("listed roles %v, want %v", got, want)
	}
	must(t, "revoke one", s.RevokeStaffRoles(ctx, id, "gjjid:admin", "gjjid:audit"))
	if got := staffRoles(t, s, id); !slices.Equal(got, []string{"gjjid:counter"}) {
		t.Fatalf("after revoking admin: %v", got)
	}
	must(t, "revoke the last", s.RevokeStaffRoles(ctx, id, "gjjid:counter"))
	if got := staffRoles(t, s, id); len(got) != 0 {
		t.Fatalf("after revoking every role: %v", got)
	}
	if got := listed(t, s, id); got != nil {
		t.Fatalf("a person without roles is still listed: %v", got)
	}
	must(t, "revoke from a non-member", s.RevokeStaffRoles(ctx, id, "gjjid:counter"))
}

func testStaffConcurrentGrants(t *testing.T, s store.Store) {
	ctx := t.Context()
	id := newID("person")
	roles := []string{"gjjid:admin", "gjjid:audit", "gjjid:counter"}
	var wg sync.WaitGroup
	errs := make([]error, len(roles))
	for i, r := range roles {
		wg.Go(func() { errs[i] = s.GrantStaffRoles(ctx, id, r) })
	}
	wg.Wait()
	for _, err := range errs {
		must(t, "grant", err)
	}
	if got := staffRoles(t, s, id); !slices.Equal(got, roles) {
		t.Fatalf("concurrent grants kept %v, want %v", got, roles)
	}
}

func testStaffRefuseBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	for name, err := range map[string]error{
		"grant without person": s.GrantStaffRoles(ctx, "", "gjjid:admin"),
		"grant without roles":  s.GrantStaffRoles(ctx, newID("person")),
		"grant an empty role":  s.GrantStaffRoles(ctx, newID("person"), ""),
		"revoke without roles": s.RevokeStaffRoles(ctx, newID("person")),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
