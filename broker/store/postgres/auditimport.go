package postgres

import (
	"context"

	"github.com/gjjid/gjjid/broker/store"
)

// ImportAudit stores a record another store wrote, keeping its ID (and so
// its time): "<unix ms>-<seq>", as the Redis stream and the memory store
// make them. It reports whether the record was new; importing it again
// changes nothing. The partition of the record's month is created if
// missing; retention drops it as any other.
func (s *Store) ImportAudit(ctx context.Context, r store.AuditRecord) (bool, error) {
	const op = "import audit"
	at, seq, err := parseAuditID(r.ID)
	if err != nil {
		return false, err
	}
	args := append(append([]any{at, seq}, parseAuditFilters(r.Data).args()...), string(r.Data))
	insert := func() (int64, error) {
		tag, err := s.q(ctx).Exec(ctx, `insert into audit_events (at, seq, `+auditFilterColumns+`, data)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (at, seq) do nothing`, args...)
		return tag.RowsAffected(), err
	}
	n, err := insert()
	if isCode(err, checkViolation) {
		if err := s.EnsureAuditPartitions(ctx, at); err != nil {
			return false, err
		}
		n, err = insert()
	}
	if err != nil {
		return false, wrap(op, err)
	}
	return n == 1, nil
}
