//go:build unix

package broker_test

import (
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/config"
)

// benchPostgresOptions is benchRedisOptions plus PostgreSQL (DATABASE_URL,
// or the local server) for the durable records, in a schema of its own
// dropped afterwards. The token endpoint must stay within 10 % of Redis
// alone: durable records are not on its hot path, or are cached.
func benchPostgresOptions(b *testing.B) bt.Options {
	o := benchRedisOptions(b)
	dbURL := pgtest.Schema(b, pgtest.URL(b))
	o.Edit = func(c *config.Config) {
		c.Store.Database = config.Database{URL: dbURL}
		c.ApplyDefaults()
	}
	return o
}
