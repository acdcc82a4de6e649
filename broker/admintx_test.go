package broker_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// TestAdminChangeAndAuditAreOneTransaction: with PostgreSQL, an admin
// change and its audit event are written together or not at all. While
// the audit table cannot be written, creating a unit answers 503 and the
// unit does not exist; once it can, the same call creates the unit and its
// audit event.
func TestAdminChangeAndAuditAreOneTransaction(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.Schema(t, pgtest.URL(t))
	b := bt.Start(t, bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t),
		Edit: func(c *config.Config) { c.Store.Database = config.Database{URL: dbURL}; c.ApplyDefaults() }})
	api := bt.NewAdminAPI(t, b.URL)
	ctx := context.Background()
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	exec := func(sql string) {
		t.Helper()
		if _, err := db.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	const unit = "91110000600037341L"
	newUnit := map[string]string{"id": unit, "name": "北京示例有限公司"}
	exec(`alter table audit_events rename to audit_events_away`)
	var e apiErr
	if got := api.Call(http.MethodPost, "/admin/v1/units", newUnit, &e); got != http.StatusServiceUnavailable || e.Error != "temporarily_unavailable" {
		t.Fatalf("create a unit while the audit trail cannot be written: %d %+v, want 503 temporarily_unavailable", got, e)
	}
	exec(`alter table audit_events_away rename to audit_events`)
	api.Want(http.StatusNotFound, http.MethodGet, "/admin/v1/units/"+unit, nil, nil)

	api.Want(http.StatusCreated, http.MethodPost, "/admin/v1/units", newUnit, nil)
	api.Want(http.StatusOK, http.MethodGet, "/admin/v1/units/"+unit, nil, nil)
	var n int
	if err := db.QueryRow(ctx, `select count(*) from audit_events where data::jsonb->>'action' = 'units.create' and data::jsonb->>'principal' = $1`, unit).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d units.create audit events for the unit, want 1", n)
	}
}
