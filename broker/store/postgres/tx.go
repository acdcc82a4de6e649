package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
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
func (s *Store) InTx(ctx context.Context, fn func(*Store) error) error {
	return s.WithTx(ctx, func(txCtx context.Context) error {
		// The inner store runs on the transaction whatever context its
		// caller passes.
		return fn(&Store{pool: s.pool, db: s.q(txCtx)})
	})
}

// ctxTx is the transaction a context carries (WithTx), for the pool it
// was begun on.
type ctxTx struct {
	pool *pgxpool.Pool
	tx   pgx.Tx
}

type txKey struct{}

// q is what a call with ctx runs its statements on: the transaction ctx
// carries (WithTx) when it is of this store's pool, else the store's own
// (the pool, or the InTx transaction).
func (s *Store) q(ctx context.Context) querier {
	if t, ok := ctx.Value(txKey{}).(*ctxTx); ok && t.pool == s.pool {
		return t.tx
	}
	return s.db
}

// WithTx runs fn with a context under which every call of this store (and
// of any store over the same pool) runs in one transaction, committed when
// fn returns nil and rolled back otherwise: how an admin change and its
// audit event are written together or not at all. Under a context that
// carries a transaction already, fn joins it. The context must not be used
// by two goroutines at once, nor after fn returns.
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := s.q(ctx).(pgx.Tx); ok {
		return fn(ctx)
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
	if err := fn(context.WithValue(ctx, txKey{}, &ctxTx{pool: s.pool, tx: tx})); err != nil {
		return err
	}
	return wrap("commit", tx.Commit(ctx))
}
