package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gjjid/gjjid/config"
)

// describeStore says, for gjjid config check, which store combination a
// configuration selects and what each part keeps. Passwords are never shown.
func describeStore(s config.Store) string {
	if s.Type != "redis" {
		return "store: memory — everything lives in this process and is lost when it stops; " +
			"one instance only (development, make dev)"
	}
	r := "Redis " + redisTarget(s.Redis)
	if !s.Database.Configured() {
		return "store: redis only — " + r + " keeps everything: the hot state (auth requests, codes, sessions, " +
			"refresh tokens, QR logins, counters, revocations) and the durable records (clients, units, persons, " +
			"agents, links, staff roles, owed back-channel logouts, audit trail, signing keys); set store.database to move the durable records to PostgreSQL"
	}
	migrate := "migrated at start"
	if s.Database.SkipMigrations {
		migrate = "not migrated at start: run gjjid migrate first"
	}
	return fmt.Sprintf("store: redis + postgres — PostgreSQL %s (%s, pool %d, tls %s) keeps the durable records "+
		"(clients, units, persons, agents, links and certificate bindings, staff roles, owed back-channel logouts, audit trail, signing keys); "+
		"%s keeps the hot state (auth requests, codes, sessions, refresh tokens, QR logins, counters, revocations): "+
		"flushing Redis signs people out and loses nothing else",
		redacted(s.Database.URL), migrate, s.Database.MaxConns, tlsMode(s.Database.TLSMode), r)
}

func redisTarget(r config.Redis) string {
	switch {
	case r.URL != "":
		return redacted(r.URL)
	case r.MasterName != "":
		return fmt.Sprintf("Sentinel master %q via %s", r.MasterName, strings.Join(r.Addrs, ", "))
	default:
		return "cluster " + strings.Join(r.Addrs, ", ")
	}
}

// redacted is u with any password replaced by xxxxx.
func redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

func tlsMode(m string) string {
	if m == "" {
		return "as the URL says"
	}
	return m
}
