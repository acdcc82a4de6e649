// Package pgtest gives tests a PostgreSQL to talk to: the one DATABASE_URL
// names, or the local server at DefaultURL. Each test works in a schema of
// its own that it creates and drops, and touches nothing else, so tests can
// share a database with anything else.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	neturl "net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gjjid/gjjid/broker/store/postgres"
)

// DefaultURL is the server tests use when DATABASE_URL is unset: a local
// PostgreSQL that trusts the postgres user.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres"

const needServer = "PostgreSQL tests need a running PostgreSQL 13 or later: set DATABASE_URL " +
	"(postgres://user:password@host:5432/db) or run one at " + DefaultURL +
	" (Debian package postgresql, with trust authentication for local connections)"

// URL returns DATABASE_URL, or DefaultURL when unset, after checking that
// the server answers; a server that does not fails t with a message naming
// what is missing.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		u = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: cannot reach PostgreSQL at %s: %v\n%s", redact(u), err, needServer)
	}
	defer conn.Close(ctx)
	var version int
	if err := conn.QueryRow(ctx, "select current_setting('server_version_num')::int").Scan(&version); err != nil {
		t.Fatalf("pgtest: server version of %s: %v", redact(u), err)
	}
	if version < 130000 {
		t.Fatalf("pgtest: PostgreSQL at %s is version %d\n%s", redact(u), version, needServer)
	}
	return u
}

// Schema creates a schema no other test uses ("gjjidtest_<random>"), drops
// it (and only it) when t ends, and returns base with its search_path set to
// it, so everything a store creates lands there.
func Schema(t testing.TB, base string) string {
	t.Helper()
	name := "gjjidtest_" + strings.ToLower(rand.Text()[:12])
	exec(t, base, "create schema "+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() { exec(t, base, "drop schema "+pgx.Identifier{name}.Sanitize()+" cascade") })
	return withSearchPath(t, base, name)
}

// Open returns a migrated store in a schema of its own (see Schema) that
// closes when t ends.
func Open(t testing.TB) *postgres.Store {
	t.Helper()
	return OpenAt(t, URL(t))
}

// OpenAt is Open against base, for tests that already called URL.
func OpenAt(t testing.TB, base string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Options{URL: Schema(t, base)})
	if err != nil {
		t.Fatalf("pgtest: open store: %v", err)
	}
	t.Cleanup(func() { s.Close() }) // registered after Schema's: runs before the drop
	return s
}

func exec(t testing.TB, u, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v\n%s", redact(u), err, needServer)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

// withSearchPath returns u with the search_path run-time parameter set.
func withSearchPath(t testing.TB, u, schema string) string {
	t.Helper()
	if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		return u + " search_path=" + schema
	}
	p, err := neturl.Parse(u)
	if err != nil {
		t.Fatalf("pgtest: DATABASE_URL: %v", err)
	}
	q := p.Query()
	q.Set("search_path", schema)
	p.RawQuery = q.Encode()
	return p.String()
}

// redact shows where u points without its password.
func redact(u string) string {
	c, err := pgconn.ParseConfig(u)
	if err != nil {
		return "(unparsable DATABASE_URL)"
	}
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}
