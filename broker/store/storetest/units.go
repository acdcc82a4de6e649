package storetest

import (
	"fmt"
	"testing"

	"github.com/gjjid/gjjid/broker/store"
)

// unitTests check units and the agents acting for a unit.
var unitTests = []test{
	{"AddUnitOnce", testAddUnitOnce},
	{"FindUnitByOrgCode", testFindUnitByOrgCode},
	{"ListUnitsPages", testListUnits},
	{"AddAgentOnce", testAddAgentOnce},
	{"AgentsOfUnitPagesAndDelete", testAgentsOfUnit},
}

func testAddUnitOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUnit()
	must(t, "add", s.AddUnit(ctx, u))
	other := *u
	other.Name = "冒名顶替有限公司"
	wantErr(t, "add again", s.AddUnit(ctx, &other), store.ErrConflict)
	got, err := s.GetUnit(ctx, u.ID)
	must(t, "get", err)
	sameJSON(t, "unit after a refused add", got, u)
}

func testFindUnitByOrgCode(t *testing.T, s store.Store) {
	ctx := t.Context()
	added, put := newUnit(), newUnit()
	added.OrgCode, put.OrgCode = newID("org"), newID("org")
	must(t, "add", s.AddUnit(ctx, added))
	must(t, "put", s.PutUnit(ctx, put))
	for _, u := range []*store.Unit{added, put} {
		got, err := s.FindUnitByOrgCode(ctx, u.OrgCode)
		must(t, "find", err)
		sameJSON(t, "find by org code", got, u)
	}
	_, err := s.FindUnitByOrgCode(ctx, newID("org"))
	wantErr(t, "find unknown", err, store.ErrNotFound)
	_, err = s.FindUnitByOrgCode(ctx, "")
	wantErr(t, "find empty", err, store.ErrNotFound)
	// A refused duplicate does not move the index.
	dup := newUnit()
	dup.ID, dup.OrgCode = added.ID, newID("org")
	wantErr(t, "add duplicate", s.AddUnit(ctx, dup), store.ErrConflict)
	_, err = s.FindUnitByOrgCode(ctx, dup.OrgCode)
	wantErr(t, "find the refused unit's code", err, store.ErrNotFound)
}

func testListUnits(t *testing.T, s store.Store) {
	ctx := t.Context()
	if got := collect(t, "list empty", func(c string, n int) ([]*store.Unit, string, error) { return s.ListUnits(ctx, c, n) }); len(got) != 0 {
		t.Fatalf("empty store lists %d units", len(got))
	}
	var want []*store.Unit
	for i := range 5 {
		u := newUnit()
		u.ID = fmt.Sprintf("9111%014d", 5-i) // added in reverse order
		if i%2 == 0 {
			must(t, "add", s.AddUnit(ctx, u))
		} else {
			must(t, "put", s.PutUnit(ctx, u))
		}
		want = append([]*store.Unit{u}, want...)
	}
	got := collect(t, "list", func(c string, n int) ([]*store.Unit, string, error) { return s.ListUnits(ctx, c, n) })
	sameJSON(t, "units in ID order", got, want)
}

func testAddAgentOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := &store.Agent{PersonID: newID("p"), UnitID: "91110000000000001A", Roles: []string{"operator"}, Status: "active", CreatedAt: now()}
	errs := concurrently(contenders, func(i int) error {
		b := *a
		b.Roles = []string{fmt.Sprint("r", i)}
		return s.AddAgent(ctx, &b)
	})
	oneWinner(t, "concurrent adds of one agent", errs, store.ErrConflict)
	got, _, err := s.AgentsOfUnit(ctx, a.UnitID, "", 10)
	must(t, "agents of unit", err)
	if len(got) != 1 {
		t.Fatalf("unit lists %d agents, want 1", len(got))
	}
}

func testAgentsOfUnit(t *testing.T, s store.Store) {
	ctx := t.Context()
	unit, other := "91110000000000001A", "91110000000000002B"
	var want []*store.Agent
	for i := range 5 {
		a := &store.Agent{PersonID: fmt.Sprintf("p_%02d", i), UnitID: unit, Roles: []string{"operator"}, Status: "active", CreatedAt: now()}
		must(t, "add", s.AddAgent(ctx, a))
		want = append(want, a)
	}
	must(t, "agent of another unit", s.PutAgent(ctx, &store.Agent{PersonID: "p_01", UnitID: other, Status: "active", CreatedAt: now()}))
	list := func(c string, n int) ([]*store.Agent, string, error) { return s.AgentsOfUnit(ctx, unit, c, n) }
	sameJSON(t, "agents of unit", collect(t, "agents of unit", list), want)

	must(t, "delete", s.DeleteAgent(ctx, "p_01", unit))
	wantErr(t, "delete again", s.DeleteAgent(ctx, "p_01", unit), store.ErrNotFound)
	sameJSON(t, "agents after delete", collect(t, "agents after delete", list), []*store.Agent{want[0], want[2], want[3], want[4]})
	of, err := s.AgentsOfPerson(ctx, "p_01")
	must(t, "agents of person", err)
	if len(of) != 1 || of[0].UnitID != other {
		t.Fatalf("person keeps %+v, want only the other unit's record", of)
	}
}
