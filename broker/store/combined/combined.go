// Package combined joins two stores into one store.Store: the durable
// records (clients, units, persons, agents, links, the audit trail, the
// signing key set, staff roles, the back-channel logout queue) from one,
// typically PostgreSQL, and everything hot and short-lived (auth requests,
// codes, sessions, refresh families, QR sessions, counters, values, the
// revocation denylist, which clients each SSO session reached) from the other,
// typically Redis. Flushing the hot store signs people out and loses
// nothing else.
package combined

import (
	"context"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

var _ store.Store = (*Store)(nil)

// Durable is what the durable side must keep; postgres.Store is one, and so
// is any whole store.Store (tests use a second memory store).
type Durable = postgres.Durable

// hot holds the hot store one level deeper than the durable one: Go
// promotes a method from the shallowest embedded field, so every method
// Durable has comes from the durable store and all the others (whatever
// store.Store grows) from the hot one. No method is written twice.
type hot struct{ store.Store }

// Store is the combined store. Ping and Close reach both sides.
type Store struct {
	hot
	Durable
}

// New combines hotStore and durable. The caller gives up both: Close closes
// them.
func New(hotStore store.Store, durable Durable) *Store {
	return &Store{hot: hot{hotStore}, Durable: durable}
}

// Ping reports the first side that does not answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.hot.Ping(ctx); err != nil {
		return fmt.Errorf("hot store: %w", err)
	}
	if err := s.Durable.Ping(ctx); err != nil {
		return fmt.Errorf("durable store: %w", err)
	}
	return nil
}

// Close closes both sides.
func (s *Store) Close() error {
	return errors.Join(s.hot.Close(), s.Durable.Close())
}
