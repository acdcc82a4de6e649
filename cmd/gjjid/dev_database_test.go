package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// TestDevConfigStores: `gjjid dev` runs on memory, on Redis, or on Redis
// with PostgreSQL for the durable records; a database without Redis, or a
// database URL that is not one, is refused naming the flag or field.
func TestDevConfigStores(t *testing.T) {
	t.Parallel()
	const redisURL, dbURL = "redis://127.0.0.1:6379/0", "postgres://postgres@127.0.0.1:5432/gjjid"
	for _, tc := range []struct {
		store, database string
		wantType        string
		wantDatabase    bool
		wantErr         string
	}{
		{"", "", "memory", false, ""},
		{redisURL, "", "redis", false, ""},
		{redisURL, dbURL, "redis", true, ""},
		{"", dbURL, "", false, "--database needs --store"},
		{redisURL, "mysql://db/gjjid", "", false, "store.database.url"},
	} {
		cfg, err := devConfig("127.0.0.1:5556", tc.store, tc.database)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("--store %q --database %q: %v, want an error naming %s", tc.store, tc.database, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("--store %q --database %q: %v", tc.store, tc.database, err)
			continue
		}
		typ := cfg.Store.Type
		if typ == "" {
			typ = "memory"
		}
		if typ != tc.wantType || cfg.Store.Database.Configured() != tc.wantDatabase || (tc.wantDatabase && cfg.Store.Database.URL != tc.database) {
			t.Errorf("--store %q --database %q: store %q, database %+v", tc.store, tc.database, typ, cfg.Store.Database)
		}
	}
}

// TestDevWithDatabase: with --database the durable records (accounts, key
// set, staff roles) land in PostgreSQL and Redis keeps none of them.
func TestDevWithDatabase(t *testing.T) {
	redis := redistest.StartServer(t, redistest.ServerOptions{})
	db := pgtest.Schema(t, pgtest.URL(t))
	d := startDev(t, "--mtls-addr", "", "--store", redis.URL(), "--database", db)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for table, want := range map[string]int{"persons": 2, "units": 2, "key_sets": 1} {
		var n int
		if err := conn.QueryRow(ctx, "select count(*) from "+table).Scan(&n); err != nil || n != want {
			t.Errorf("%s in PostgreSQL: %d, %v; want %d", table, n, err, want)
		}
	}
	rc := goredis.NewClient(&goredis.Options{Addr: redis.Addr})
	defer rc.Close()
	keys, err := rc.Keys(ctx, "gjjid-dev:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		for _, durable := range []string{"person:", "unit:", "keyset", "staff:", "audit", "client:"} {
			if strings.HasPrefix(strings.TrimPrefix(k, "gjjid-dev:"), durable) {
				t.Errorf("Redis holds the durable record %s", k)
			}
		}
	}
	if !strings.Contains(d.out.String(), d.issuer) {
		t.Errorf("banner lacks the issuer:\n%s", d.out.String())
	}
}
