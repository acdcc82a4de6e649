package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

// auditFilters are the event fields copied into indexed columns, so the
// admin API's queries (by principal, actor, unit, type prefix, time) use
// indexes instead of reading the trail.
type auditFilters struct {
	Type      string `json:"type"`
	Actor     string `json:"actor"`
	ActorUnit string `json:"actor_unit"`
	Principal string `json:"principal"`
	Unit      string `json:"unit"`
}

// auditFilterColumns are the columns auditFilters.args fills, in order.
const auditFilterColumns = `type, actor, actor_id, actor_unit, principal, unit`

// parseAuditFilters reads the filter fields of an event; the record is
// kept as given whatever they hold.
func parseAuditFilters(data []byte) auditFilters {
	var f auditFilters
	_ = json.Unmarshal(data, &f)
	return f
}

// args are the values of auditFilterColumns; absent fields are NULL.
func (f auditFilters) args() []any {
	actorID := f.Actor
	if i := strings.LastIndexByte(actorID, ':'); i >= 0 {
		actorID = actorID[i+1:]
	}
	return []any{nullable(f.Type), nullable(f.Actor), nullable(actorID), nullable(f.ActorUnit), nullable(f.Principal), nullable(f.Unit)}
}

// upkeepEvery is how often one instance checks the audit partitions: that
// the coming months have one and that expired months are dropped.
const upkeepEvery = time.Hour

// AppendAudit appends data with the database's clock (milliseconds) and a
// sequence number; the ID is "<unix ms>-<seq>". Retention is applied to
// whole monthly partitions (upkeepEvery at most), so records may outlive it
// by up to a month, never the other way round.
func (s *Store) AppendAudit(ctx context.Context, data []byte, retention time.Duration) (string, error) {
	const op = "append audit"
	if err := store.Lifetime("postgres: "+op, retention); err != nil {
		return "", err
	}
	// Inside a transaction the upkeep and the retry below are left out:
	// creating a partition locks the audit table, which the transaction may
	// hold already (a deadlock the server cannot see). The current month's
	// partition exists from Open and the hourly upkeep on.
	_, inTx := s.q(ctx).(pgx.Tx)
	if !inTx {
		s.upkeep(ctx, retention)
	}
	args := append(parseAuditFilters(data).args(), string(data))
	insert := func() (string, error) {
		var at time.Time
		var seq int64
		err := s.q(ctx).QueryRow(ctx, `insert into audit_events (at, seq, `+auditFilterColumns+`, data)
			values (date_trunc('milliseconds', clock_timestamp()), nextval('audit_seq'), $1, $2, $3, $4, $5, $6, $7)
			returning at, seq`, args...).Scan(&at, &seq)
		if err != nil {
			return "", err
		}
		return auditID(at, seq), nil
	}
	id, err := insert()
	if isCode(err, checkViolation) && !inTx { // no partition for this month yet
		if err := s.EnsureAuditPartitions(ctx, time.Now()); err != nil {
			return "", err
		}
		id, err = insert()
	}
	if err != nil {
		return "", wrap(op, err)
	}
	return id, nil
}

// upkeep runs the partition upkeep if no call of this instance did within
// upkeepEvery. A failure is left for the next call: the append itself
// creates a missing partition, and a late drop only keeps records longer.
func (s *Store) upkeep(ctx context.Context, retention time.Duration) {
	now := time.Now()
	last := s.auditChecked.Load()
	if now.Unix()-last < int64(upkeepEvery/time.Second) || !s.auditChecked.CompareAndSwap(last, now.Unix()) {
		return
	}
	if err := s.EnsureAuditPartitions(ctx, now); err == nil {
		_, _ = s.DropExpiredAudit(ctx, now, retention)
	}
}

// auditID is the record ID the broker shows: unix milliseconds and the
// sequence number, like a Redis stream entry ID.
func auditID(at time.Time, seq int64) string {
	return strconv.FormatInt(at.UnixMilli(), 10) + "-" + strconv.FormatInt(seq, 10)
}

// parseAuditID is the inverse of auditID.
func parseAuditID(id string) (time.Time, int64, error) {
	ms, seq, ok := strings.Cut(id, "-")
	m, err1 := strconv.ParseInt(ms, 10, 64)
	n, err2 := strconv.ParseInt(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil || m < 0 || n < 0 {
		return time.Time{}, 0, fmt.Errorf("postgres: read audit: cursor %q is not an audit record ID", id)
	}
	return time.UnixMilli(m).UTC(), n, nil
}

// ReadAudit returns up to limit records after `after` (or from since), not
// later than until, oldest first.
func (s *Store) ReadAudit(ctx context.Context, since time.Time, after string, until time.Time, limit int) ([]store.AuditRecord, error) {
	return s.SearchAudit(ctx, since, until, "", "", after, limit)
}
