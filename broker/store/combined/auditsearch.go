package combined

import (
	"context"
	"errors"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// auditSearcher is a durable store that filters audit records itself
// (postgres.Store, with indexes).
type auditSearcher interface {
	SearchAudit(ctx context.Context, since, until time.Time, principal, typ, after string, limit int) ([]store.AuditRecord, error)
}

// SearchAudit passes the search to the durable store when it can filter
// itself, and answers errors.ErrUnsupported otherwise, so the caller scans.
func (s *Store) SearchAudit(ctx context.Context, since, until time.Time, principal, typ, after string, limit int) ([]store.AuditRecord, error) {
	if a, ok := s.Durable.(auditSearcher); ok {
		return a.SearchAudit(ctx, since, until, principal, typ, after, limit)
	}
	return nil, errors.ErrUnsupported
}

// nameSearcher is a durable store that searches names itself
// (postgres.Store).
type nameSearcher interface {
	SearchNames(ctx context.Context, q string, limit int) ([]*store.Unit, []*store.Person, error)
}

// SearchNames passes the search to the durable store when it can search
// itself, and answers errors.ErrUnsupported otherwise, so the caller scans.
func (s *Store) SearchNames(ctx context.Context, q string, limit int) ([]*store.Unit, []*store.Person, error) {
	if n, ok := s.Durable.(nameSearcher); ok {
		return n.SearchNames(ctx, q, limit)
	}
	return nil, nil, errors.ErrUnsupported
}
