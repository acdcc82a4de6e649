package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

// The key set is the single row of key_sets (id 1); data is sealed by the
// broker before it gets here.

// GetKeySet returns the stored key set and its version.
func (s *Store) GetKeySet(ctx context.Context) ([]byte, int64, error) {
	const op = "get key set"
	var data []byte
	var version int64
	if err := s.q(ctx).QueryRow(ctx, `select data, version from key_sets where id = 1`).Scan(&data, &version); err != nil {
		return nil, 0, wrap(op, err)
	}
	return data, version, nil
}

// SwapKeySet stores data if the stored version is still oldVersion (0: none
// stored yet) and returns the new version; ErrConflict otherwise. The first
// store is an insert the primary key lets only one instance win; later ones
// are an update conditioned on the version.
func (s *Store) SwapKeySet(ctx context.Context, oldVersion int64, data []byte) (int64, error) {
	const op = "swap key set"
	var row pgx.Row
	if oldVersion == 0 {
		row = s.q(ctx).QueryRow(ctx, `insert into key_sets (id, version, data) values (1, 1, $1)
			on conflict (id) do nothing returning version`, data)
	} else {
		row = s.q(ctx).QueryRow(ctx, `update key_sets set version = version + 1, data = $2
			where id = 1 and version = $1 returning version`, oldVersion, data)
	}
	var v int64
	switch err := row.Scan(&v); {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, fmt.Errorf("postgres: %s: version is not %d: %w", op, oldVersion, store.ErrConflict)
	case err != nil:
		return 0, wrap(op, err)
	}
	return v, nil
}
