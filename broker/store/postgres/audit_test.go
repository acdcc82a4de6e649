package postgres_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

func partitions(t *testing.T, url string) []string {
	t.Helper()
	p := newPool(t, url)
	rows, _ := p.Query(t.Context(), `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
		where i.inhparent = 'audit_events'::regclass order by 1`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("list partitions: %v", err)
	}
	return names
}

// Partitions exist ahead of time; retention drops whole months once all
// of a month is older than it, and nothing younger.
func TestAuditPartitionsAheadAndRetention(t *testing.T) {
	t.Parallel()
	s, url := openSchema(t)
	ctx := t.Context()
	jan := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	must(t, s.EnsureAuditPartitions(ctx, jan)) // January to March 2025
	got := partitions(t, url)
	for _, want := range []string{"audit_events_y2025m01", "audit_events_y2025m02", "audit_events_y2025m03"} {
		if !slices.Contains(got, want) {
			t.Fatalf("partitions %v lack %s", got, want)
		}
	}
	now := time.Now().UTC()
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		want := cur.AddDate(0, i, 0).Format("audit_events_y2006m01")
		if !slices.Contains(got, want) {
			t.Fatalf("partitions %v lack %s (opened %s)", got, want, now.Format(time.DateOnly))
		}
	}
	// On 1 April 2025 + 31 days, with 31 days of retention, only
	// January and February (ended 1 March) are past.
	dropped, err := s.DropExpiredAudit(ctx, time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), 31*24*time.Hour)
	must(t, err)
	if want := []string{"audit_events_y2025m01", "audit_events_y2025m02"}; !slices.Equal(sorted(dropped), want) {
		t.Fatalf("dropped %v, want %v", dropped, want)
	}
	if got := partitions(t, url); slices.Contains(got, "audit_events_y2025m01") || !slices.Contains(got, "audit_events_y2025m03") {
		t.Fatalf("after the drop: %v", got)
	}
}

// The event fields the admin API filters on are copied into indexed
// columns; the record itself is kept byte for byte.
func TestAuditFilterColumns(t *testing.T) {
	t.Parallel()
	s, url := openSchema(t)
	data, _ := json.Marshal(map[string]string{"type": "admin.change", "actor": "client:admin", "actor_unit": "u0",
		"principal": "p1", "unit": "u1", "action": "agents.add"})
	id, err := s.AppendAudit(t.Context(), data, time.Hour)
	must(t, err)
	var typ, actor, actorUnit, principal, unit, stored string
	err = newPool(t, url).QueryRow(t.Context(), `select type, actor, actor_unit, principal, unit, data from audit_events`).
		Scan(&typ, &actor, &actorUnit, &principal, &unit, &stored)
	must(t, err)
	if typ != "admin.change" || actor != "client:admin" || actorUnit != "u0" || principal != "p1" || unit != "u1" {
		t.Fatalf("columns: %q %q %q %q %q", typ, actor, actorUnit, principal, unit)
	}
	if stored != string(data) {
		t.Fatalf("stored %s, want %s", stored, data)
	}
	recs, err := s.ReadAudit(t.Context(), time.Time{}, "", time.Time{}, 10)
	must(t, err)
	if len(recs) != 1 || recs[0].ID != id {
		t.Fatalf("read %v, want one record %s", recs, id)
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// openSchema opens a store over a new schema of its own, closed when the
// test ends, and returns it with the schema's URL.
func openSchema(t *testing.T) (*postgres.Store, string) {
	t.Helper()
	url := pgtest.Schema(t, pgtest.URL(t))
	s, err := postgres.Open(t.Context(), postgres.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}
