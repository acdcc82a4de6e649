package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

// migrations are the schema changes, applied in file-name order by tern
// (github.com/jackc/tern/v2/migrate): pgx-native, so no database/sql
// driver comes along, and it holds a PostgreSQL advisory lock while it
// migrates, so many instances starting at once apply each step once.
//
//go:embed migrations/*.sql
var migrations embed.FS

// versionTable records the applied schema version, in the schema the
// connection's search_path selects.
const versionTable = "gjjid_schema_version"

// ErrSchemaTooNew: the database was migrated by a newer gjjid.
var ErrSchemaTooNew = errors.New("postgres: database schema is newer than this gjjid")

// SchemaVersion is the schema version this binary's migrations reach.
func SchemaVersion() int32 {
	names, err := migrate.FindMigrations(migrationFS())
	if err != nil {
		panic(fmt.Sprintf("postgres: embedded migrations: %v", err)) // a build defect
	}
	return int32(len(names))
}

func migrationFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(fmt.Sprintf("postgres: embedded migrations: %v", err))
	}
	return sub
}

// Migrate brings the schema to SchemaVersion under tern's advisory lock and
// returns the version found before. A schema newer than this binary knows
// is refused with ErrSchemaTooNew and left alone.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (from int32, err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, wrap("migrate: connect", err)
	}
	defer conn.Release()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		return 0, wrap("migrate: version table", err)
	}
	if err := m.LoadMigrations(migrationFS()); err != nil {
		return 0, fmt.Errorf("postgres: migrate: load: %w", err)
	}
	from, err = m.GetCurrentVersion(ctx)
	if err != nil {
		return 0, wrap("migrate: read version", err)
	}
	if err := tooNew(from); err != nil {
		return from, err
	}
	if err := m.Migrate(ctx); err != nil {
		if _, ok := err.(migrate.BadVersionError); ok {
			// Another instance, newer than this one, migrated meanwhile.
			v, _ := m.GetCurrentVersion(ctx)
			return from, tooNew(v)
		}
		return from, wrap("migrate", err)
	}
	return from, nil
}

// CheckSchema fails unless the database's schema is exactly SchemaVersion.
func CheckSchema(ctx context.Context, pool *pgxpool.Pool) error {
	var v int32
	err := pool.QueryRow(ctx, "select version from "+versionTable).Scan(&v)
	if isCode(err, "42P01") { // undefined table
		return fmt.Errorf("postgres: the database has no gjjid schema: run gjjid migrate")
	}
	if err != nil {
		return wrap("check schema", err)
	}
	if err := tooNew(v); err != nil {
		return err
	}
	if v < SchemaVersion() {
		return fmt.Errorf("postgres: database schema version %d is older than this gjjid's %d: run gjjid migrate", v, SchemaVersion())
	}
	return nil
}

func tooNew(v int32) error {
	if want := SchemaVersion(); v > want {
		return fmt.Errorf("%w: the database is at schema version %d, this gjjid knows versions up to %d; "+
			"refusing to start: run the gjjid release that migrated it, or a later one", ErrSchemaTooNew, v, want)
	}
	return nil
}

// partitionsByMigrate is how many months ahead gjjid migrate creates audit
// partitions, for brokers whose role may not create tables.
const partitionsByMigrate = 12

// Migration is what MigrateDatabase did.
type Migration struct {
	From, To int32    // schema versions before and after
	Dropped  []string // audit partitions dropped as expired
}

// MigrateDatabase connects with o, migrates (see Migrate), creates the
// audit partitions of the next partitionsByMigrate months, drops those
// older than retention (none when 0) and disconnects. gjjid migrate runs
// it, so a broker whose role may only read and write rows needs nothing
// else from a DBA than running it now and then.
func MigrateDatabase(ctx context.Context, o Options, retention time.Duration) (Migration, error) {
	cfg, err := o.Config()
	if err != nil {
		return Migration{}, err
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return Migration{}, fmt.Errorf("postgres: %w", err)
	}
	defer pool.Close()
	m := Migration{}
	if m.From, err = Migrate(ctx, pool); err != nil {
		return m, err
	}
	m.To = SchemaVersion()
	s := New(pool)
	now := time.Now()
	for i := 0; i <= partitionsByMigrate; i += monthsAhead + 1 {
		if err := s.EnsureAuditPartitions(ctx, now.AddDate(0, i, 0)); err != nil {
			return m, err
		}
	}
	if retention > 0 {
		m.Dropped, err = s.DropExpiredAudit(ctx, now, retention)
	}
	return m, err
}
