package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gjjid/gjjid/broker"
	"github.com/gjjid/gjjid/broker/store/postgres"
	"github.com/gjjid/gjjid/config"
)

const migrateUsage = `usage:
  gjjid migrate --config FILE   bring store.database's schema to this release's version,
                                create the next 12 months' audit partitions and drop
                                those older than audit.retention
  gjjid migrate --url URL       the same for a postgres:// URL
  gjjid migrate --from redis://… [--prefix gjjid:] --to postgres://…
                                copy the durable records of a Redis deployment
                                to PostgreSQL (migrated first); idempotent
`

// migrateCmd applies the embedded schema migrations to the configured
// PostgreSQL, under the same advisory lock instances take at start, so it
// is safe while instances run or start. A schema newer than this binary is
// refused and left alone.
func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, migrateUsage) }
	cfgPath := fs.String("config", "", "configuration file (uses store.database)")
	dbURL := fs.String("url", "", "postgres:// URL, instead of --config")
	fromURL := fs.String("from", "", "redis:// URL of the deployment to copy from")
	prefix := fs.String("prefix", "gjjid:", "key prefix of the Redis deployment (store.redis.key_prefix)")
	toURL := fs.String("to", "", "postgres:// URL to copy to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *fromURL != "" || *toURL != "" {
		if *fromURL == "" || *toURL == "" || *cfgPath != "" || *dbURL != "" || fs.NArg() > 0 {
			fs.Usage()
			return flag.ErrHelp
		}
		return copyToPostgres(ctx, *fromURL, *prefix, *toURL, stdout)
	}
	if fs.NArg() > 0 || (*cfgPath == "") == (*dbURL == "") {
		fs.Usage()
		return flag.ErrHelp
	}
	o := postgres.Options{URL: *dbURL}
	var retention time.Duration
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		if !cfg.Store.Database.Configured() {
			return errors.New(*cfgPath + ": store.database.url is not set: this configuration uses no PostgreSQL")
		}
		o = broker.DatabaseOptions(cfg.Store.Database)
		retention = cfg.Audit.Retention
	}
	m, err := postgres.MigrateDatabase(ctx, o, retention)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if m.From == m.To {
		fmt.Fprintf(stdout, "schema already at version %d\n", m.To)
	} else {
		fmt.Fprintf(stdout, "schema migrated from version %d to %d\n", m.From, m.To)
	}
	for _, d := range m.Dropped {
		fmt.Fprintf(stdout, "dropped audit partition %s (older than audit.retention %v)\n", d, retention)
	}
	return nil
}
