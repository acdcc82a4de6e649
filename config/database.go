package config

import (
	"net/url"
	"strings"
	"time"
)

// Database configures PostgreSQL for the durable records (clients, units,
// persons, agents, links, the audit trail, the signing key set). With it
// Redis keeps only the hot state; without it Redis keeps everything.
type Database struct {
	// URL is a postgres:// URL, e.g. postgres://gjjid@db.example:5432/gjjid;
	// a search_path parameter selects the schema. Empty: no PostgreSQL.
	URL string `yaml:"url"`
	// Password overrides the URL's, so it can come from ${ENV} without URL
	// escaping.
	Password string `yaml:"password"`
	// MaxConns bounds each instance's connection pool; default 10.
	MaxConns int32 `yaml:"max_conns"`
	// TLSMode is libpq's sslmode: disable, allow, prefer, require,
	// verify-ca or verify-full. Empty: the URL's (libpq's default, prefer).
	TLSMode string `yaml:"tls_mode"`
	// Timeout bounds connecting; default 5s.
	Timeout time.Duration `yaml:"timeout"`
	// SkipMigrations: do not apply schema migrations at start (run gjjid
	// migrate instead, e.g. with a more privileged role); the schema must be
	// current then.
	SkipMigrations bool `yaml:"skip_migrations"`
}

// Configured reports whether PostgreSQL is to be used.
func (d Database) Configured() bool { return d.URL != "" }

// applyDefaults fills the pool size and timeout when PostgreSQL is used.
func (d *Database) applyDefaults() {
	if !d.Configured() {
		return
	}
	setDefault(&d.MaxConns, 10)
	setDefault(&d.Timeout, 5*time.Second)
}

// databaseTLSModes are libpq's sslmode values.
var databaseTLSModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

func (d Database) validate(storeType string, ps *Problems) {
	const path = "store.database"
	if !d.Configured() {
		if d.Password != "" || d.TLSMode != "" {
			ps.add(key(path, "url"), "required when other store.database settings are set")
		}
		return
	}
	if storeType != "redis" {
		ps.add("store.type", "must be redis with store.database: PostgreSQL keeps the durable records and Redis the hot state "+
			"that every instance shares (sessions, codes, tokens); set type: redis, or remove store.database")
	}
	u, err := url.Parse(d.URL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		ps.add(key(path, "url"), "must be a postgres:// URL, e.g. postgres://gjjid@db.example:5432/gjjid")
	} else if strings.Trim(u.Path, "/") == "" {
		ps.add(key(path, "url"), "must name the database in its path, e.g. postgres://gjjid@db.example:5432/gjjid")
	}
	if d.TLSMode != "" {
		oneOf(ps, key(path, "tls_mode"), d.TLSMode, databaseTLSModes...)
	}
	if d.MaxConns < 1 {
		ps.add(key(path, "max_conns"), "must be at least 1, got %d", d.MaxConns)
	}
	positive(ps, key(path, "timeout"), d.Timeout)
}
