package staff

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
)

func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	areas := []Area{AreaClients, AreaKeys, AreaStaff, AreaAccounts, AreaAudit}
	want := map[string][]Area{
		RoleAdmin:     areas,
		RoleCounter:   {AreaAccounts},
		RoleAudit:     {AreaAudit},
		"":            nil,
		"gjjid:bogus": nil,
	}
	for role, reached := range want {
		for _, a := range areas {
			if got := Allows([]string{role}, a); got != slices.Contains(reached, a) {
				t.Errorf("role %q area %s: allowed %v", role, a, got)
			}
		}
	}
}

type persons struct{ ids []string }

func (p persons) GetPerson(_ context.Context, id string) (*store.Person, error) {
	if slices.Contains(p.ids, id) {
		return &store.Person{ID: id}, nil
	}
	return nil, store.ErrNotFound
}

func TestGrantScopesOnlyForHeldRoles(t *testing.T) {
	t.Parallel()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	s := NewService(st, persons{[]string{"p1"}})
	ctx := t.Context()
	if _, err := s.Grant(ctx, "p1", []string{RoleCounter}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Grant(ctx, "nobody", []string{RoleCounter}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("grant to an unknown person: %v", err)
	}
	if _, err := s.Grant(ctx, "p1", []string{"gjjid:root"}); !errors.Is(err, ErrUnknownRole) {
		t.Fatalf("grant of an unknown role: %v", err)
	}
	for _, tc := range []struct {
		subject string
		in      []string
		want    []string
	}{
		{"p1", []string{"openid", RoleAdmin, RoleCounter, RoleAudit}, []string{"openid", RoleCounter}},
		{"p2", []string{"openid", RoleAdmin}, []string{"openid"}},
		{"p2", []string{"openid", "profile"}, []string{"openid", "profile"}},
	} {
		got, err := s.GrantScopes(ctx, tc.subject, tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("GrantScopes(%s, %v) = %v, %v; want %v", tc.subject, tc.in, got, err, tc.want)
		}
	}
	if _, err := s.Revoke(ctx, "p1", []string{RoleCounter}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GrantScopes(ctx, "p1", []string{RoleCounter}); len(got) != 0 {
		t.Fatalf("after revocation the scope is still granted: %v", got)
	}
}
