package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what the store's methods run statements on: the pool, or one
// transaction (InTx).
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// InTx runs fn with a store whose every method runs in one transaction,
// committed when fn returns nil and rolled back otherwise: several records
// change together or not at all (a person with their agent record). Called
// on such a store, it runs fn in the same transaction. The store fn gets is
// for this goroutine only and must not be used after fn returns.
func (s *Store) InTx(ctx context.Context, fn func(*Store) error) (err error) {
	if _, ok := s.db.(pgx.Tx); ok {
		return fn(s)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap("begin", err)
	}
	defer func() {
		if err != nil {
			if rerr := tx.Rollback(context.WithoutCancel(ctx)); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
				err = errors.Join(err, fmt.Errorf("postgres: rollback: %w", rerr))
			}
		}
	}()
	inner := &Store{pool: s.pool, db: tx}
	if err := fn(inner); err != nil {
		return err
	}
	return wrap("commit", tx.Commit(ctx))
}
