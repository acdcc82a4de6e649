package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The soak runs gjjid dev in the production shape: Redis holds the hot
// state only, PostgreSQL the durable records (the audit trail above all,
// which grows with every login by design). The database is a private one,
// created for the run and dropped after it.

// defaultDatabaseServer is where the private database is made when
// DATABASE_URL is unset: a local PostgreSQL that trusts the postgres user.
const defaultDatabaseServer = "postgres://postgres@127.0.0.1:5432/postgres"

// databaseServer is the --database default: DATABASE_URL, else the local
// server.
func databaseServer() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return defaultDatabaseServer
}

// privateDatabase creates a database of its own on the server admin names
// (a postgres:// URL whose user may CREATE DATABASE) and returns its URL
// and the function that drops it.
func privateDatabase(ctx context.Context, admin string) (dbURL string, drop func(), err error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return "", nil, fmt.Errorf("--database %q: want a postgres:// URL of the server", redacted(admin))
	}
	name := "gjjid_soak_" + strings.ToLower(rand.Text()[:12])
	if err := adminExec(ctx, admin, "create database "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop = func() {
		// The broker has stopped; FORCE ends any connection it left.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, admin, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)"); err != nil {
			fmt.Fprintln(os.Stderr, "gjjid-load soak:", err)
		}
	}
	return u.String(), drop, nil
}

func adminExec(ctx context.Context, admin, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s: %w (set --database or DATABASE_URL)", redacted(admin), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("PostgreSQL at %s: %s: %w", redacted(admin), sql, err)
	}
	return nil
}
