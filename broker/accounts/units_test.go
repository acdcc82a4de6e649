package accounts_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
)

func TestCreateUnit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, id, customerNo, unitName string
		wantID                         string
		err                            error
		msg                            string
	}{
		{"demo unit", demoUnit, "510100000123", demoUnitName, demoUnit, nil, ""},
		{"normalised", " 91510100ma61abcd1t", "", demoUnitName, demoUnit, nil, ""},
		{"check character", "91510100MA61ABCD1U", "", demoUnitName, "", accounts.ErrInvalid, "id:"},
		{"letter O", "91510100MO61ABCD1T", "", demoUnitName, "", accounts.ErrInvalid, "character 10"},
		{"no name", demoUnit, "", " ", "", accounts.ErrInvalid, "name:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, _ := newService(t)
			u, err := svc.CreateUnit(context.Background(), tt.id, tt.customerNo, tt.unitName)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("CreateUnit error = %v, want %v", err, tt.err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("error %q lacks %q", err, tt.msg)
				}
				return
			}
			if u.ID != tt.wantID || u.Status != accounts.StatusActive || u.Name != demoUnitName {
				t.Errorf("unit = %+v", u)
			}
			if got, err := svc.GetUnit(context.Background(), strings.ToLower(demoUnit)); err != nil || got.ID != demoUnit {
				t.Errorf("GetUnit = %v, %v", got, err)
			}
		})
	}
	t.Run("exists", func(t *testing.T) {
		t.Parallel()
		svc, _ := newService(t)
		ctx := context.Background()
		_, _ = svc.CreateUnit(ctx, demoUnit, "", demoUnitName)
		if _, err := svc.CreateUnit(ctx, demoUnit, "", "另一个名字"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateUnit(existing) = %v, want ErrConflict", err)
		}
	})
}

func TestAddAgent(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := context.Background()
	p := demoPersonAndUnit(t, svc)

	a, err := svc.AddAgent(ctx, p.ID, demoUnit, nil)
	if err != nil || !slices.Equal(a.Roles, []string{accounts.RoleOperator}) || a.Status != accounts.StatusActive {
		t.Fatalf("AddAgent default roles = %+v, %v", a, err)
	}
	// A second AddAgent for the pair is a conflict and changes nothing;
	// UpdateAgent changes roles.
	if _, err := svc.AddAgent(ctx, p.ID, strings.ToLower(demoUnit), []string{"unit_admin"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("AddAgent again = %v, want ErrConflict", err)
	}
	if as, _ := st.AgentsOfPerson(ctx, p.ID); len(as) != 1 || !slices.Equal(as[0].Roles, []string{accounts.RoleOperator}) {
		t.Errorf("after a refused AddAgent: %+v, want the first record unchanged", as)
	}
	_, a, err = svc.UpdateAgent(ctx, p.ID, demoUnit, accounts.AgentChange{Roles: []string{"operator", "unit_admin", "operator"}})
	if err != nil || !slices.Equal(a.Roles, []string{"operator", "unit_admin"}) {
		t.Errorf("UpdateAgent roles = %+v, %v; want both roles, once each", a, err)
	}
	for _, tc := range []struct {
		person, unit string
		roles        []string
		err          error
	}{
		{p.ID, demoUnit, []string{"admin"}, accounts.ErrInvalid},
		{"p_nobody", demoUnit, nil, store.ErrNotFound},
		{p.ID, otherUnit, nil, store.ErrNotFound},
	} {
		if _, err := svc.AddAgent(ctx, tc.person, tc.unit, tc.roles); !errors.Is(err, tc.err) {
			t.Errorf("AddAgent(%s, %s, %v) = %v, want %v", tc.person, tc.unit, tc.roles, err, tc.err)
		}
	}
}

func TestUnitsOfListsActiveAgentsOfActiveUnits(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := context.Background()
	p, _ := svc.CreatePerson(ctx, accounts.NewPerson{Name: "张三", IDNumber: demoID})
	units := []struct{ id, name string }{
		{demoUnit, "乙公司"},
		{otherUnit, "甲公司"},
		{"91440300MA5DC0QX05", "已停用的单位"},
		{"91310000MA1FL0AB1X", "经办权限已停用"},
	}
	for _, u := range units {
		if _, err := svc.CreateUnit(ctx, u.id, "", u.name); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddAgent(ctx, p.ID, u.id, []string{accounts.RoleUnitAdmin}); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := st.GetUnit(ctx, "91440300MA5DC0QX05")
	u.Status = accounts.StatusDisabled
	_ = st.PutUnit(ctx, u)
	_ = st.PutAgent(ctx, &store.Agent{PersonID: p.ID, UnitID: "91310000MA1FL0AB1X", Status: accounts.StatusDisabled})
	_ = st.PutAgent(ctx, &store.Agent{PersonID: p.ID, UnitID: "12100000400000000W", Status: accounts.StatusActive}) // unit never created

	got, err := svc.UnitsOf(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []accounts.UnitRef{
		{ID: otherUnit, Name: "甲公司", Roles: []string{"unit_admin"}}, // 9135… before 9151…
		{ID: demoUnit, Name: "乙公司", Roles: []string{"unit_admin"}},
	}
	if !slices.EqualFunc(got, want, func(a, b accounts.UnitRef) bool {
		return a.ID == b.ID && a.Name == b.Name && slices.Equal(a.Roles, b.Roles)
	}) {
		t.Errorf("UnitsOf = %+v, want %+v", got, want)
	}
	if none, err := svc.UnitsOf(ctx, "p_nobody"); err != nil || len(none) != 0 {
		t.Errorf("UnitsOf(unknown) = %v, %v", none, err)
	}
}
