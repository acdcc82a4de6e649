package audit_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/combined"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/broker/store/pgtest"
)

// TestSearchMatchesScan: a store that filters audit records itself (with
// PostgreSQL's indexes) answers every query as the scan over the memory
// store does, page by page.
func TestSearchMatchesScan(t *testing.T) {
	t.Parallel()
	mem := memory.New()
	t.Cleanup(func() { mem.Close() })
	pg := combined.New(memory.New(), pgtest.Open(t))
	t.Cleanup(func() { pg.Close() })
	if _, ok := store.Store(pg).(audit.Searcher); !ok {
		t.Fatal("the combined store does not search")
	}
	if _, err := pg.SearchAudit(t.Context(), time.Time{}, time.Time{}, "p1", "login.", "", 10); err != nil {
		t.Fatalf("the PostgreSQL side does not search: %v", err)
	}
	scan, indexed := audit.New(mem, nil, time.Hour), audit.New(pg, nil, time.Hour)

	events := []audit.Event{
		{Type: audit.LoginSuccess, Actor: "person:p1", Principal: "p1", Unit: "u1", Connector: "password"},
		{Type: audit.LoginFailure, Principal: "p2", Reason: "wrong_password"},
		{Type: audit.AdminChange, Action: "links.create", Actor: "client:admin", Principal: "p1"},
		{Type: audit.UnitChange, Action: "agents.add", Actor: "unit:u1", ActorUnit: "u1", Principal: "p3"},
		{Type: audit.AdminChange, Action: "clients.delete", Actor: "client:admin", Principal: "rp9"},
		{Type: audit.LoginLockout, Principal: "p2"},
		{Type: "administrator.note", Actor: "client:other", Principal: "p4"}, // "admin." must not match it
		{Type: audit.LinkDelete, Actor: "person:p3", Principal: "p3", Unit: "u2"},
	}
	start := time.Now().Add(-time.Second)
	for _, e := range events {
		for _, l := range []*audit.Log{scan, indexed} {
			if err := l.Record(t.Context(), e); err != nil {
				t.Fatal(err)
			}
		}
	}
	queries := []audit.Query{
		{},
		{Principal: "p1"},
		{Principal: "admin"},
		{Principal: "u1"},
		{Principal: "p2", Type: audit.LoginLockout},
		{Type: "login."},
		{Type: "admin."},
		{Type: audit.AdminChange, Principal: "rp9"},
		{Since: start, Until: time.Now().Add(time.Minute), Type: "link."},
		{Since: time.Now().Add(time.Hour)},
		{Principal: "nobody"},
	}
	for _, q := range queries {
		for _, limit := range []int{2, 100} {
			q.Limit = limit
			got, want := collect(t, indexed, q), collect(t, scan, q)
			if got != want {
				t.Errorf("query %+v:\n indexed %s\n    scan %s", q, got, want)
			}
		}
	}
}

// collect pages through q and returns the events (IDs and times left out:
// they differ between the stores) and the number of pages.
func collect(t *testing.T, l *audit.Log, q audit.Query) string {
	t.Helper()
	var all []audit.Event
	pages := 0
	for {
		evs, next, err := l.Query(t.Context(), q)
		if err != nil {
			t.Fatalf("query %+v: %v", q, err)
		}
		pages++
		for _, e := range evs {
			e.ID, e.Time = "", time.Time{}
			all = append(all, e)
		}
		if next == "" {
			break
		}
		q.After = next
	}
	b, _ := json.Marshal(map[string]any{"events": all, "pages": pages})
	return string(b)
}
