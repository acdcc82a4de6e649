package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gjjid/gjjid/broker/store/postgres"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/transfer"
)

// copyToPostgres copies the durable records of the Redis deployment at
// fromURL (keys under prefix) to the PostgreSQL at toURL, migrating its
// schema first, and prints the counts as each kind is done. Run it again
// after an interruption: what was copied is counted as unchanged.
func copyToPostgres(ctx context.Context, fromURL, prefix, toURL string, stdout io.Writer) error {
	from, err := redisstore.Open(ctx, redisstore.Options{URL: fromURL, KeyPrefix: prefix})
	if err != nil {
		return fmt.Errorf("migrate --from: %w", err)
	}
	defer from.Close()
	to, err := postgres.Open(ctx, postgres.Options{URL: toURL})
	if err != nil {
		return fmt.Errorf("migrate --to: %w", err)
	}
	defer to.Close()
	_, err = transfer.Copy(ctx, from, to, func(c transfer.Count) { fmt.Fprintln(stdout, c) })
	if err != nil {
		return fmt.Errorf("migrate: %w (run it again: what was copied is skipped)", err)
	}
	fmt.Fprintln(stdout, "done: the durable records are in PostgreSQL; set store.database.url and restart the broker")
	return nil
}
