// Package postgres keeps the broker's durable records in PostgreSQL:
// clients, units, persons, agents, links (certificate bindings among them),
// the audit trail and the signing key set. What is hot and may be lost
// (auth requests, codes, sessions, refresh families, QR sessions, counters,
// values, the revocation denylist) stays in Redis or memory; package
// combined joins the two into one store.Store.
//
// Uniqueness is the database's: primary keys and unique constraints on the
// ID-number and mobile hashes, the 组织机构代码 and (connector, subject), a
// violation coming back as store.ErrConflict. Changes of several rows are
// one transaction. The SQL is plain PostgreSQL 13 without extensions.
package postgres

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/gjjid/gjjid/broker/store"
)

// Durable is what this package stores: the aggregates that must outlive a
// Redis flush.
type Durable interface {
	store.Records
	store.LogoutQueue
	Ping(ctx context.Context) error
	Close() error
}

var _ Durable = (*Store)(nil)

// Store is the PostgreSQL store of durable records. It is safe for
// concurrent use.
type Store struct {
	pool *pgxpool.Pool
	db   querier // pool, or the transaction of an InTx
	owns bool    // Close closes pool: Open created it

	// auditChecked is the unix second of the last partition upkeep (audit.go).
	auditChecked atomic.Int64
}

// Options say how to reach PostgreSQL.
type Options struct {
	// URL is a libpq connection URL or key=value string:
	// postgres://user:password@host:5432/db?sslmode=verify-full. A
	// search_path parameter selects the schema.
	URL string
	// Password overrides the URL's, so it need not be URL-escaped.
	Password string
	// MaxConns bounds the pool; 0 keeps pgxpool's default (4, or the
	// number of CPUs if more).
	MaxConns int32
	// TLSMode overrides the URL's sslmode when set: disable, require,
	// verify-ca or verify-full.
	TLSMode string
	// Timeout bounds connecting; 0 means DefaultTimeout.
	Timeout time.Duration
	// SkipMigrate opens without applying migrations (the schema must then be
	// current already); Open still refuses a schema newer than it knows.
	SkipMigrate bool
	// TracerProvider, when set, records a span per query (trace.go); nil:
	// no tracer.
	TracerProvider trace.TracerProvider
}

// DefaultTimeout is used when Options.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Config parses o into a pool configuration without connecting.
func (o Options) Config() (*pgxpool.Config, error) {
	if o.URL == "" {
		return nil, errors.New("postgres: url is empty")
	}
	conn := o.URL
	if o.TLSMode != "" {
		var err error
		if conn, err = withTLSMode(conn, o.TLSMode); err != nil {
			return nil, err
		}
	}
	cfg, err := pgxpool.ParseConfig(conn)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, errors.New("postgres: url: cannot parse the connection string")
	}
	if o.Password != "" {
		cfg.ConnConfig.Password = o.Password
	}
	if o.MaxConns < 0 {
		return nil, fmt.Errorf("postgres: max_conns %d is negative", o.MaxConns)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	timeout := o.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		return nil, fmt.Errorf("postgres: timeout %v is negative", o.Timeout)
	}
	cfg.ConnConfig.ConnectTimeout = timeout
	if o.TracerProvider != nil {
		cfg.ConnConfig.Tracer = queryTracer{t: o.TracerProvider.Tracer(tracerScope)}
	}
	return cfg, nil
}

// TLSModes are the libpq sslmode values Options.TLSMode accepts.
var TLSModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// withTLSMode returns the connection string with sslmode set to mode, so
// pgx builds the TLS settings exactly as libpq would for that URL (root
// certificates from sslrootcert, and so on).
func withTLSMode(conn, mode string) (string, error) {
	if !slices.Contains(TLSModes, mode) {
		return "", fmt.Errorf("postgres: tls mode %q: want one of %s", mode, strings.Join(TLSModes, ", "))
	}
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		u, err := neturl.Parse(conn)
		if err != nil {
			return "", fmt.Errorf("postgres: url: %w", err)
		}
		q := u.Query()
		q.Set("sslmode", mode)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return conn + " sslmode=" + mode, nil
}

// Open connects, applies the embedded migrations under an advisory lock
// (unless o.SkipMigrate) and refuses a database whose schema is newer than
// this binary knows. An unreachable server is an error wrapping
// store.ErrUnavailable.
func Open(ctx context.Context, o Options) (*Store, error) {
	cfg, err := o.Config()
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, db: pool, owns: true}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if o.SkipMigrate {
		err = CheckSchema(ctx, pool)
	} else {
		_, err = Migrate(ctx, pool)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	// A role that may not create tables (skip_migrations) relies on gjjid
	// migrate having created the partitions ahead.
	if err := s.EnsureAuditPartitions(ctx, time.Now()); err != nil && !(o.SkipMigrate && isCode(err, insufficientPrivilege)) {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// New returns a store over an existing pool whose schema is current (see
// Migrate). The caller keeps ownership of the pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool, db: pool} }

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error {
	return wrap("ping", s.pool.Ping(ctx))
}

// Close releases the pool if Open created it.
func (s *Store) Close() error {
	if s.owns {
		s.pool.Close()
	}
	return nil
}

// required is the shared input check, named for this backend.
func required(op string, pairs ...string) error { return store.Required("postgres: "+op, pairs...) }

// defaultPageSize is what the list methods return when limit is not positive.
const defaultPageSize = 100

// pageLimit is limit, or the default when not positive.
func pageLimit(limit int) int {
	if limit <= 0 {
		return defaultPageSize
	}
	return limit
}
