package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// Searcher is a store that filters audit records itself, with indexes
// (PostgreSQL), with the semantics of Query: principal matches principal,
// unit, actor unit, actor or the actor's ID; typ is exact or a prefix
// ending in ".". errors.ErrUnsupported means "scan instead".
type Searcher interface {
	SearchAudit(ctx context.Context, since, until time.Time, principal, typ, after string, limit int) ([]store.AuditRecord, error)
}

// search answers q with one indexed query instead of a bounded scan.
func search(ctx context.Context, s Searcher, q Query, limit int) ([]Event, string, error) {
	recs, err := s.SearchAudit(ctx, q.Since, q.Until, q.Principal, q.Type, q.After, limit)
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("audit: query: %w", err)
	}
	out := make([]Event, 0, len(recs))
	for _, r := range recs {
		var e Event
		if err := json.Unmarshal(r.Data, &e); err != nil {
			return nil, "", fmt.Errorf("audit: query: record %s: %w", r.ID, err)
		}
		e.ID = r.ID
		out = append(out, e)
	}
	next := ""
	if len(recs) == limit {
		next = recs[len(recs)-1].ID
	}
	return out, next, nil
}
