package postgres

import (
	"context"
	"encoding/json"

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
	var f auditFilters
	_ = json.Unmarshal(r.Data, &f)
	insert := func() (int64, error) {
		tag, err := s.pool.Exec(ctx, `insert into audit_events (at, seq, type, actor, actor_unit, principal, unit, data)
			values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (at, seq) do nothing`,
			at, seq, nullable(f.Type), nullable(f.Actor), nullable(f.ActorUnit), nullable(f.Principal), nullable(f.Unit), string(r.Data))
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
