package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

// updateClientAttempts bounds the compare-and-set retries of UpdateClient
// when the same client is written concurrently.
const updateClientAttempts = 8

// PutClient creates or replaces the client.
func (s *Store) PutClient(ctx context.Context, c *store.Client) error {
	const op = "put client"
	if err := required(op, "ID", c.ID); err != nil {
		return err
	}
	b, err := encodeJSON(op, c)
	if err != nil {
		return err
	}
	_, err = s.q(ctx).Exec(ctx, `insert into clients (id, record) values ($1, $2)
		on conflict (id) do update set record = excluded.record, version = clients.version + 1, updated_at = now()`, c.ID, b)
	return wrap(op, err)
}

// CreateClient creates the client; ErrConflict when its ID is taken.
func (s *Store) CreateClient(ctx context.Context, c *store.Client) error {
	const op = "create client"
	if err := required(op, "ID", c.ID); err != nil {
		return err
	}
	b, err := encodeJSON(op, c)
	if err != nil {
		return err
	}
	return insertOnce(ctx, s, op, c.ID, `insert into clients (id, record) values ($1, $2) on conflict do nothing`, c.ID, b)
}

// UpdateClient reads the client with its version, applies update and
// writes the result only if the version is unchanged; a lost race reads
// again. update runs outside any transaction, so it holds no lock while it
// works.
func (s *Store) UpdateClient(ctx context.Context, id string, update func(*store.Client) error) (*store.Client, error) {
	const op = "update client"
	if err := required(op, "ID", id); err != nil {
		return nil, err
	}
	for range updateClientAttempts {
		var raw string
		var version int64
		err := s.q(ctx).QueryRow(ctx, `select record, version from clients where id = $1`, id).Scan(&raw, &version)
		if err != nil {
			return nil, wrap(op, err)
		}
		c, err := decodeJSON[store.Client](op, raw)
		if err != nil {
			return nil, err
		}
		if err := store.ApplyClientUpdate("postgres: "+op, id, c, update); err != nil {
			return nil, err
		}
		b, err := encodeJSON(op, c)
		if err != nil {
			return nil, err
		}
		tag, err := s.q(ctx).Exec(ctx, `update clients set record = $2, version = version + 1, updated_at = now()
			where id = $1 and version = $3`, id, b, version)
		if err != nil {
			return nil, wrap(op, err)
		}
		if tag.RowsAffected() == 1 {
			return decodeJSON[store.Client](op, b)
		}
	}
	return nil, fmt.Errorf("postgres: %s %q: written concurrently %d times in a row: %w", op, id, updateClientAttempts, store.ErrConflict)
}

// GetClient returns the client.
func (s *Store) GetClient(ctx context.Context, id string) (*store.Client, error) {
	const op = "get client"
	var raw string
	if err := s.q(ctx).QueryRow(ctx, `select record from clients where id = $1`, id).Scan(&raw); err != nil {
		return nil, wrap(op, err)
	}
	return decodeJSON[store.Client](op, raw)
}

// DeleteClient removes the client; ErrNotFound when there is none.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	const op = "delete client"
	tag, err := s.q(ctx).Exec(ctx, `delete from clients where id = $1`, id)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s %q: %w", op, id, store.ErrNotFound)
	}
	return nil
}

// ListClients pages the clients in byte order of their IDs.
func (s *Store) ListClients(ctx context.Context, cursor string, limit int) ([]*store.Client, string, error) {
	const op = "list clients"
	limit = pageLimit(limit)
	rows, err := s.q(ctx).Query(ctx, `select id, record from clients where id > $1 order by id limit $2`, cursor, limit+1)
	if err != nil {
		return nil, "", wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.Client, error) {
		var id, raw string
		if err := r.Scan(&id, &raw); err != nil {
			return nil, err
		}
		return decodeJSON[store.Client](op, raw)
	})
	if err != nil {
		return nil, "", wrap(op, err)
	}
	return trimPage(out, limit, func(c *store.Client) string { return c.ID })
}

// trimPage cuts a page read with limit+1 rows to limit and returns the
// cursor of the next page ("" when none follows).
func trimPage[T any](out []*T, limit int, key func(*T) string) ([]*T, string, error) {
	if out == nil {
		out = []*T{}
	}
	if len(out) <= limit {
		return out, "", nil
	}
	out = out[:limit]
	return out, key(out[limit-1]), nil
}

// encodeJSON returns v as JSON text.
func encodeJSON(op string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("postgres: %s: encode: %w", op, err)
	}
	return string(b), nil
}

// decodeJSON parses a stored JSON record.
func decodeJSON[T any](op, raw string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return nil, fmt.Errorf("postgres: %s: decode: %w", op, err)
	}
	return v, nil
}
