package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

func newPool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

func schemaVersion(t *testing.T, p *pgxpool.Pool) int32 {
	t.Helper()
	var v int32
	if err := p.QueryRow(t.Context(), "select version from gjjid_schema_version").Scan(&v); err != nil {
		t.Fatalf("read version: %v", err)
	}
	return v
}

// Many instances start at once: each migrates, the advisory lock lets the
// steps run once, and every one of them succeeds.
func TestMigrateConcurrentlyAppliesOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.Schema(t, pgtest.URL(t))
	p := newPool(t, url)
	errs := make(chan error, 6)
	for range cap(errs) {
		go func() { _, err := postgres.Migrate(context.Background(), p); errs <- err }()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	if got, want := schemaVersion(t, p), postgres.SchemaVersion(); got != want {
		t.Fatalf("version %d, want %d", got, want)
	}
	from, err := postgres.Migrate(t.Context(), p)
	if err != nil || from != postgres.SchemaVersion() {
		t.Fatalf("migrating a current schema again: from %d, %v", from, err)
	}
}

// A database a newer gjjid migrated is refused with a message that says
// what to do, and left as it is.
func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	url := pgtest.Schema(t, pgtest.URL(t))
	p := newPool(t, url)
	if _, err := postgres.Migrate(t.Context(), p); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	newer := postgres.SchemaVersion() + 1
	if _, err := p.Exec(t.Context(), "update gjjid_schema_version set version = $1", newer); err != nil {
		t.Fatal(err)
	}
	for _, skip := range []bool{false, true} {
		_, err := postgres.Open(t.Context(), postgres.Options{URL: url, SkipMigrate: skip})
		if !errors.Is(err, postgres.ErrSchemaTooNew) {
			t.Fatalf("open (skip migrate %v): %v, want ErrSchemaTooNew", skip, err)
		}
		if !strings.Contains(err.Error(), "refusing to start") {
			t.Fatalf("message does not say what happens: %v", err)
		}
	}
	if got := schemaVersion(t, p); got != newer {
		t.Fatalf("the refused open changed the version to %d", got)
	}
}

// Without migrations, Open insists on a current schema and says how to get
// one.
func TestSkipMigrateNeedsCurrentSchema(t *testing.T) {
	t.Parallel()
	url := pgtest.Schema(t, pgtest.URL(t))
	_, err := postgres.Open(t.Context(), postgres.Options{URL: url, SkipMigrate: true})
	if err == nil || !strings.Contains(err.Error(), "gjjid migrate") {
		t.Fatalf("open an empty schema without migrating: %v", err)
	}
	s, err := postgres.Open(t.Context(), postgres.Options{URL: url})
	if err != nil {
		t.Fatalf("open with migrations: %v", err)
	}
	s.Close()
	s, err = postgres.Open(t.Context(), postgres.Options{URL: url, SkipMigrate: true})
	if err != nil {
		t.Fatalf("open a migrated schema without migrating: %v", err)
	}
	s.Close()
}

// The tables are created in the schema the search_path names, nowhere else.
func TestMigrateStaysInItsSchema(t *testing.T) {
	t.Parallel()
	base := pgtest.URL(t)
	url := pgtest.Schema(t, base)
	p := newPool(t, url)
	if _, err := postgres.Migrate(t.Context(), p); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	var schema string
	if err := p.QueryRow(t.Context(), "select current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	rows, _ := p.Query(t.Context(), `select table_name from information_schema.tables
		where table_schema = $1 and table_name in ('clients', 'units', 'persons', 'agents', 'links', 'key_sets', 'audit_events')`, schema)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(names) != 7 {
		t.Fatalf("tables in %s: %v (%v)", schema, names, err)
	}
}
