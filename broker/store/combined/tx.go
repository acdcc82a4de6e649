package combined

import (
	"context"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

// transactor is a durable store that can make several writes one
// transaction (postgres.Store).
type transactor interface {
	InTx(ctx context.Context, fn func(*postgres.Store) error) error
}

// InTx runs fn with a store whose durable writes are one transaction,
// committed when fn returns nil and rolled back otherwise, when the durable
// side is PostgreSQL; hot state is never part of it. With another durable
// side fn runs on s itself, write by write. The store fn gets must not be
// used after fn returns, nor closed.
func (s *Store) InTx(ctx context.Context, fn func(store.Store) error) error {
	t, ok := s.Durable.(transactor)
	if !ok {
		return fn(s)
	}
	return t.InTx(ctx, func(tx *postgres.Store) error {
		return fn(&Store{hot: s.hot, Durable: tx})
	})
}

// ctxTransactor is a durable store whose calls join a transaction their
// context carries (postgres.Store.WithTx).
type ctxTransactor interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// WithTx runs fn with a context under which every durable write is one
// transaction, committed when fn returns nil, when the durable side is
// PostgreSQL; hot state is never part of it. With another durable side fn
// runs with ctx as it is, write by write.
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	t, ok := s.Durable.(ctxTransactor)
	if !ok {
		return fn(ctx)
	}
	return t.WithTx(ctx, fn)
}
