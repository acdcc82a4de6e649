package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var directoryTests = []test{
	{"AddUnitOnce", testAddUnitOnce},
	{"FindUnitByOrgCode", testFindUnitByOrgCode},
	{"ListUnitsPages", testListUnits},
	{"ListPersonsPages", testListPersons},
	{"AddAgentOnce", testAddAgentOnce},
	{"AgentsOfUnitPagesAndDelete", testAgentsOfUnit},
	{"LinksAddGetDelete", testLinks},
	{"LinksConcurrentAddOneWins", testLinksConcurrentAdd},
	{"LinksListAndOf", testLinksListAndOf},
	{"AuditAppendRead", testAuditAppendRead},
	{"AuditRetention", testAuditRetention},
}

// collect pages through list with page size 2 and returns what it saw.
func collect[T any](t *testing.T, what string, list func(cursor string, limit int) ([]*T, string, error)) []*T {
	t.Helper()
	var all []*T
	cursor := ""
	for range 100 {
		page, next, err := list(cursor, 2)
		must(t, what, err)
		if len(page) > 2 {
			t.Fatalf("%s: page of %d with limit 2", what, len(page))
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
	t.Fatalf("%s: paging does not end", what)
	return nil
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

func testListPersons(t *testing.T, s store.Store) {
	ctx := t.Context()
	var want []*store.Person
	for i := range 5 {
		p := newPerson()
		p.ID = fmt.Sprintf("p_%02d", i)
		must(t, "put", s.PutPerson(ctx, p))
		want = append(want, p)
	}
	// Rewriting a person does not list it twice.
	want[2].Name = "李四"
	must(t, "replace", s.PutPerson(ctx, want[2]))
	got := collect(t, "list", func(c string, n int) ([]*store.Person, string, error) { return s.ListPersons(ctx, c, n) })
	sameJSON(t, "persons in ID order", got, want)
}

func testAddAgentOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := &store.Agent{PersonID: newID("p"), UnitID: "91110000000000001A", Roles: []string{"operator"}, Status: "active", CreatedAt: now()}
	var wins atomic.Int64
	for _, err := range concurrently(contenders, func(i int) error {
		b := *a
		b.Roles = []string{fmt.Sprint("r", i)}
		err := s.AddAgent(ctx, &b)
		if err == nil {
			wins.Add(1)
			return nil
		}
		wantErr(t, "losing add", err, store.ErrConflict)
		return nil
	}) {
		must(t, "add", err)
	}
	if wins.Load() != 1 {
		t.Fatalf("%d concurrent adds of one agent succeeded, want 1", wins.Load())
	}
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

func newLink(connector, subject string) *store.Link {
	return &store.Link{Connector: connector, Subject: subject, Kind: store.LinkPerson, PersonID: newID("p"),
		Label: "张*", CreatedBy: "client:admin", CreatedAt: now()}
}

func testLinks(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newLink("alipay", newID("2088"))
	_, err := s.GetLink(ctx, l.Connector, l.Subject)
	wantErr(t, "get before add", err, store.ErrNotFound)
	must(t, "add", s.AddLink(ctx, l))
	got, err := s.GetLink(ctx, l.Connector, l.Subject)
	must(t, "get", err)
	sameJSON(t, "get", got, l)
	// The same subject at another connector is another identity.
	_, err = s.GetLink(ctx, "wechat", l.Subject)
	wantErr(t, "same subject, other connector", err, store.ErrNotFound)

	dup := newLink(l.Connector, l.Subject)
	wantErr(t, "add again", s.AddLink(ctx, dup), store.ErrConflict)
	of, err := s.LinksOf(ctx, dup.PersonID)
	must(t, "links of the refused principal", err)
	if len(of) != 0 {
		t.Fatalf("a refused link left %d index entries", len(of))
	}
	must(t, "delete", s.DeleteLink(ctx, l.Connector, l.Subject))
	wantErr(t, "delete again", s.DeleteLink(ctx, l.Connector, l.Subject), store.ErrNotFound)
	of, err = s.LinksOf(ctx, l.PersonID)
	must(t, "links of after delete", err)
	if len(of) != 0 {
		t.Fatalf("deleted link still listed for its person")
	}
	if err := s.AddLink(ctx, newLink("alipay", "")); err == nil {
		t.Fatal("a link without subject was stored")
	}
}

func testLinksConcurrentAdd(t *testing.T, s store.Store) {
	ctx := t.Context()
	subject := newID("openid")
	var wins atomic.Int64
	for _, err := range concurrently(contenders, func(int) error {
		err := s.AddLink(ctx, newLink("wechat", subject))
		if err == nil {
			wins.Add(1)
			return nil
		}
		wantErr(t, "losing add", err, store.ErrConflict)
		return nil
	}) {
		must(t, "add", err)
	}
	if wins.Load() != 1 {
		t.Fatalf("%d concurrent links of one subject succeeded, want 1", wins.Load())
	}
}

func testLinksListAndOf(t *testing.T, s store.Store) {
	ctx := t.Context()
	person, unit := newID("p"), "91110000000000001A"
	links := []*store.Link{
		{Connector: "x509", Subject: "sha256:bb", Kind: store.LinkAgent, PersonID: person, UnitID: unit, CreatedBy: "client:admin", CreatedAt: now()},
		{Connector: "alipay", Subject: "2088b", Kind: store.LinkPerson, PersonID: person, CreatedBy: "self-bind", CreatedAt: now()},
		{Connector: "x509", Subject: "sha256:aa", Kind: store.LinkUnit, UnitID: unit, CreatedBy: "client:admin", CreatedAt: now()},
		{Connector: "alipay", Subject: "2088a", Kind: store.LinkPerson, PersonID: newID("p"), CreatedBy: "self-bind", CreatedAt: now()},
		{Connector: "alipay-old", Subject: "2088", Kind: store.LinkPerson, PersonID: newID("p"), CreatedBy: "self-bind", CreatedAt: now()},
	}
	for _, l := range links {
		must(t, "add", s.AddLink(ctx, l))
	}
	all := collect(t, "list", func(c string, n int) ([]*store.Link, string, error) { return s.ListLinks(ctx, c, n) })
	sameJSON(t, "links in (connector, subject) order", all, []*store.Link{links[3], links[1], links[4], links[2], links[0]})
	of, err := s.LinksOf(ctx, person)
	must(t, "links of person", err)
	sameJSON(t, "links of person", of, []*store.Link{links[1], links[0]})
	of, err = s.LinksOf(ctx, unit)
	must(t, "links of unit", err)
	sameJSON(t, "links of unit", of, []*store.Link{links[2], links[0]})
	of, err = s.LinksOf(ctx, newID("p"))
	must(t, "links of nobody", err)
	if len(of) != 0 {
		t.Fatalf("unknown principal has %d links", len(of))
	}
}

func testAuditAppendRead(t *testing.T, s store.Store) {
	ctx := t.Context()
	start := time.Now()
	recs, err := s.ReadAudit(ctx, time.Time{}, "", time.Time{}, 10)
	must(t, "read empty", err)
	if len(recs) != 0 {
		t.Fatalf("empty log has %d records", len(recs))
	}
	var ids []string
	for i := range 5 {
		data, _ := json.Marshal(map[string]int{"n": i})
		id, err := s.AppendAudit(ctx, data, time.Hour)
		must(t, "append", err)
		ids = append(ids, id)
	}
	var got []string
	after := ""
	for {
		recs, err := s.ReadAudit(ctx, start.Add(-time.Second), after, time.Time{}, 2)
		must(t, "read", err)
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			got = append(got, r.ID+"="+string(r.Data))
		}
		after = recs[len(recs)-1].ID
	}
	var want []string
	for i, id := range ids {
		want = append(want, fmt.Sprintf(`%s={"n":%d}`, id, i))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("read in pages:\n got %v\nwant %v", got, want)
	}
	recs, err = s.ReadAudit(ctx, time.Now().Add(time.Hour), "", time.Time{}, 10)
	must(t, "read from the future", err)
	if len(recs) != 0 {
		t.Fatalf("since in the future returned %d records", len(recs))
	}
	recs, err = s.ReadAudit(ctx, time.Time{}, "", start.Add(-time.Hour), 10)
	must(t, "read until the past", err)
	if len(recs) != 0 {
		t.Fatalf("until in the past returned %d records", len(recs))
	}
	_, err = s.ReadAudit(ctx, time.Time{}, "not-a-cursor", time.Time{}, 10)
	if err == nil {
		t.Fatal("a malformed cursor was accepted")
	}
}

func testAuditRetention(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.AppendAudit(ctx, []byte(`{"old":true}`), time.Hour)
	must(t, "append", err)
	time.Sleep(20 * time.Millisecond)
	_, err = s.AppendAudit(ctx, []byte(`{"old":false}`), 10*time.Millisecond)
	must(t, "append with short retention", err)
	recs, err := s.ReadAudit(ctx, time.Time{}, "", time.Time{}, 10)
	must(t, "read", err)
	// Redis trims approximately (whole macro-nodes), so the old record may
	// survive there; the newest must always be kept and nothing newer lost.
	if n := len(recs); n == 0 || string(recs[n-1].Data) != `{"old":false}` {
		t.Fatalf("after trimming: %v", recs)
	}
	if _, err := s.AppendAudit(ctx, []byte("{}"), 0); err == nil {
		t.Fatal("an audit record without retention was accepted")
	}
}
