package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// usePostgres switches c to Redis plus PostgreSQL, defaults applied.
func usePostgres(c *Config) {
	useRedis(c)
	c.Store.Database = Database{URL: "postgres://gjjid@db.example:5432/gjjid"}
	c.ApplyDefaults()
}

func TestDatabaseValidation(t *testing.T) {
	t.Parallel()
	rejects := []struct {
		name   string
		mutate func(c *Config)
		path   string
		msg    string
	}{
		{"with memory", func(c *Config) { c.Store.Database.URL = "postgres://db.example/gjjid"; c.ApplyDefaults() },
			"store.type", "must be redis with store.database"},
		{"not a postgres url", func(c *Config) { usePostgres(c); c.Store.Database.URL = "mysql://db.example/gjjid" },
			"store.database.url", "must be a postgres:// URL"},
		{"no database name", func(c *Config) { usePostgres(c); c.Store.Database.URL = "postgres://db.example:5432" },
			"store.database.url", "must name the database"},
		{"tls mode", func(c *Config) { usePostgres(c); c.Store.Database.TLSMode = "on" },
			"store.database.tls_mode", "must be one of disable, allow, prefer, require, verify-ca, verify-full"},
		{"pool size", func(c *Config) { usePostgres(c); c.Store.Database.MaxConns = -2 },
			"store.database.max_conns", "must be at least 1"},
		{"timeout", func(c *Config) { usePostgres(c); c.Store.Database.Timeout = -time.Second },
			"store.database.timeout", "must be a positive duration"},
		{"password without url", func(c *Config) { useRedis(c); c.Store.Database.Password = "pw" },
			"store.database.url", "required when other store.database settings are set"},
	}
	for _, tc := range rejects {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tc.mutate(c)
			wantProblem(t, c.Validate(), tc.path, tc.msg)
		})
	}
	accepts := []struct {
		name   string
		mutate func(c *Config)
	}{
		{"redis and postgres", usePostgres},
		{"postgresql scheme, verify-full, schema", func(c *Config) {
			usePostgres(c)
			c.Store.Database.URL = "postgresql://gjjid@db.example/gjjid?search_path=sso"
			c.Store.Database.TLSMode = "verify-full"
		}},
	}
	for _, tc := range accepts {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tc.mutate(c)
			wantNoProblem(t, c.Validate(), "store")
		})
	}
}

// Defaults apply only when PostgreSQL is configured, so a configuration
// without it is unchanged.
func TestDatabaseDefaults(t *testing.T) {
	t.Parallel()
	c := validConfig()
	if c.Store.Database != (Database{}) {
		t.Fatalf("defaults without a database: %+v", c.Store.Database)
	}
	usePostgres(c)
	if d := c.Store.Database; d.MaxConns != 10 || d.Timeout != 5*time.Second {
		t.Fatalf("defaults with a database: %+v", d)
	}
}

// The password comes from the environment, and a problem names its YAML
// path.
func TestDatabaseFromFile(t *testing.T) {
	t.Setenv("GJJID_TEST_DB_PASSWORD", "from-env")
	dir := t.TempDir()
	path := filepath.Join(dir, "gjjid.yaml")
	yaml := `issuer: https://sso.example.com
store:
  type: redis
  redis:
    url: redis://127.0.0.1:6379/0
  database:
    url: postgres://gjjid@db.example:5432/gjjid
    password: ${GJJID_TEST_DB_PASSWORD}
    tls_mode: verify-full
    max_conns: 25
secrets:
  key_encryption_key: ` + secret(1) + `
  token_key: ` + secret(2) + `
  pepper: ` + secret(3) + `
  id_hash_key: ` + secret(4) + `
  cookie_key: ` + secret(5) + `
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if d := c.Store.Database; d.Password != "from-env" || d.MaxConns != 25 || d.TLSMode != "verify-full" {
		t.Fatalf("database: %+v", d)
	}
	bad := strings.Replace(yaml, "tls_mode: verify-full", "tls_mode: sometimes", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	wantProblem(t, err, "store.database.tls_mode", "must be one of")
}
