package postgres_test

import (
	"context"
	"crypto/rand"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

// A DBA migrates with a privileged role (gjjid migrate) and runs the broker
// with a role that may only read and write rows (skip_migrations): the
// broker starts, and the audit trail has its partitions ahead.
func TestRestrictedRoleWithSkipMigrations(t *testing.T) {
	t.Parallel()
	admin := pgtest.Schema(t, pgtest.URL(t))
	if _, err := postgres.MigrateDatabase(t.Context(), postgres.Options{URL: admin}, 0); err != nil {
		t.Fatal(err)
	}
	p := newPool(t, admin)
	var schema string
	if err := p.QueryRow(t.Context(), "select current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	role := "gjjidtest_rw_" + strings.ToLower(rand.Text()[:10])
	r, s := pgx.Identifier{role}.Sanitize(), pgx.Identifier{schema}.Sanitize()
	for _, sql := range []string{
		"create role " + r + " login",
		"grant usage on schema " + s + " to " + r,
		"grant select, insert, update, delete on all tables in schema " + s + " to " + r,
		"grant usage on all sequences in schema " + s + " to " + r,
	} {
		if _, err := p.Exec(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	t.Cleanup(func() {
		for _, sql := range []string{"drop owned by " + r, "drop role " + r} {
			if _, err := p.Exec(context.Background(), sql); err != nil {
				t.Errorf("%s: %v", sql, err)
			}
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	st, err := postgres.Open(t.Context(), postgres.Options{URL: u.String(), SkipMigrate: true})
	if err != nil {
		t.Fatalf("open as %s: %v", role, err)
	}
	defer st.Close()
	must(t, st.AddUnit(t.Context(), &store.Unit{ID: "u1", CreatedAt: time.Now().UTC()}))
	if _, err := st.AppendAudit(t.Context(), []byte(`{"type":"admin.change"}`), time.Hour); err != nil {
		t.Fatalf("append audit as %s: %v", role, err)
	}
	if _, err := postgres.Open(t.Context(), postgres.Options{URL: u.String()}); err == nil {
		t.Fatal("migrating as a role that may not create tables succeeded")
	}
}
