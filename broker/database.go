package broker

import (
	"context"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/postgres"
	"github.com/gjjid/gjjid/broker/tracing"
	"github.com/gjjid/gjjid/config"
)

// DatabaseOptions translates store.database into the PostgreSQL store's
// options; gjjid migrate uses it too, so both reach the same database the
// same way.
func DatabaseOptions(d config.Database) postgres.Options {
	return postgres.Options{URL: d.URL, Password: d.Password, MaxConns: d.MaxConns, TLSMode: d.TLSMode,
		Timeout: d.Timeout, SkipMigrate: d.SkipMigrations}
}

// OpenStore opens the store combination s selects, as Open does but
// untraced; gjjid import uses it to write where the broker reads.
func OpenStore(ctx context.Context, s config.Store) (store.Store, error) {
	return openStore(ctx, s, tracing.Off())
}
