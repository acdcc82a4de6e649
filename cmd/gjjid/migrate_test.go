package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/postgres"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// storeConfig writes a configuration with the given store section.
func storeConfig(t *testing.T, store string) string {
	t.Helper()
	yaml := "issuer: http://127.0.0.1:5556\n" + store + "secrets:\n"
	for i, s := range []string{"key_encryption_key", "token_key", "pepper", "id_hash_key", "cookie_key"} {
		yaml += "  " + s + ": " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{byte(i + 1)}, 32)) + "\n"
	}
	path := filepath.Join(t.TempDir(), "gjjid.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMigrateCommand(t *testing.T) {
	dbURL := pgtest.Schema(t, pgtest.URL(t))
	path := storeConfig(t, "store:\n  type: redis\n  redis: {url: \"redis://127.0.0.1:6379/0\"}\n  database:\n    url: \""+dbURL+"\"\n")
	want := postgres.SchemaVersion()
	steps := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"first run migrates", []string{"migrate", "--config", path}, 0, "schema migrated from version 0 to "},
		{"second run changes nothing", []string{"migrate", "--config", path}, 0, "schema already at version "},
		{"by URL", []string{"migrate", "--url", dbURL}, 0, "schema already at version "},
		{"neither flag", []string{"migrate"}, 2, ""},
		{"both flags", []string{"migrate", "--config", path, "--url", dbURL}, 2, ""},
	}
	for _, st := range steps {
		var out, errb bytes.Buffer
		code := run(context.Background(), st.args, &out, &errb)
		if code != st.code || !strings.Contains(out.String(), st.out) {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q", st.name, code, out.String(), errb.String())
		}
	}
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// An expired month of audit events is dropped whole (audit.retention
	// defaults to 180 days).
	if _, err := conn.Exec(t.Context(), `create table audit_events_y2020m01 partition of audit_events
		for values from ('2020-01-01 00:00:00+00') to ('2020-02-01 00:00:00+00')`); err != nil {
		t.Fatal(err)
	}
	var out0, errb0 bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--config", path}, &out0, &errb0); code != 0 ||
		!strings.Contains(out0.String(), "dropped audit partition audit_events_y2020m01") {
		t.Fatalf("expired partition: exit %d, stdout %q, stderr %q", code, out0.String(), errb0.String())
	}
	if _, err := conn.Exec(t.Context(), "update gjjid_schema_version set version = $1", want+1); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--config", path}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "newer than this gjjid") {
		t.Fatalf("newer schema: exit %d, stderr %q", code, errb.String())
	}
}

func TestMigrateCommandWithoutDatabase(t *testing.T) {
	path := storeConfig(t, "store:\n  type: redis\n  redis: {url: \"redis://127.0.0.1:6379/0\"}\n")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--config", path}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "store.database.url is not set") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// gjjid config check says which store combination the file selects, and
// never shows a password.
func TestConfigCheckExplainsStore(t *testing.T) {
	tests := []struct {
		name  string
		store string
		want  []string
	}{
		{"memory", "", []string{"store: memory", "one instance only"}},
		{"redis only", "store:\n  type: redis\n  redis: {url: \"redis://:hunter2@127.0.0.1:6379/0\"}\n",
			[]string{"store: redis only", "keeps everything", "redis://:xxxxx@127.0.0.1:6379/0"}},
		{"redis + postgres", "store:\n  type: redis\n  redis: {url: \"redis://127.0.0.1:6379/0\"}\n  database:\n" +
			"    url: \"postgres://gjjid:hunter2@db.example:5432/gjjid\"\n    tls_mode: verify-full\n",
			[]string{"store: redis + postgres", "postgres://gjjid:xxxxx@db.example:5432/gjjid", "durable records",
				"hot state", "tls verify-full", "pool 10", "migrated at start"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := storeConfig(t, tc.store)
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"config", "check", path}, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "hunter2") {
				t.Errorf("output shows a password:\n%s", out.String())
			}
		})
	}
}

// gjjid migrate --from redis://… --to postgres://… copies with counts, and
// a second run copies nothing.
func TestMigrateFromRedisCommand(t *testing.T) {
	redisURL := redistest.URL(t)
	opts, err := goredis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	prefix := redistest.Prefix(t)
	redistest.CleanupKeys(t, c, prefix)
	src := redisstore.New(c, prefix)
	now := time.Now().UTC()
	if err := src.AddUnit(t.Context(), &store.Unit{ID: "91510100MA61ABCD1T", Name: "示例", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.AppendAudit(t.Context(), []byte(`{"type":"admin.change"}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	dbURL := pgtest.Schema(t, pgtest.URL(t))
	args := []string{"migrate", "--from", redisURL, "--prefix", prefix, "--to", dbURL}
	for i, want := range []string{"units         1 copied,      0 unchanged", "units         0 copied,      1 unchanged"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 0 || !strings.Contains(out.String(), want) ||
			!strings.Contains(out.String(), "done:") {
			t.Fatalf("run %d: exit %d, want %q in\n%s%s", i+1, code, want, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--from", redisURL}, &out, &errb); code != 2 {
		t.Fatalf("--from without --to: exit %d", code)
	}
}
