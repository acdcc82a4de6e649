package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// The audit trail is one range partition per calendar month (UTC) of
// audit_events.at, named audit_events_yYYYYmMM. The broker creates the
// current month's and the next monthsAhead months' partitions at start and
// hourly, and drops a month once all of it is older than the retention: a
// DROP TABLE of one partition, no DELETE of millions of rows and no VACUUM
// after it.

// monthsAhead is how many months beyond the current one have a partition.
const monthsAhead = 2

// partitionLock is the advisory lock key serialising partition changes
// between instances ("gjjidaud" in ASCII).
const partitionLock = 0x67_6a_6a_69_64_61_75_64

var partitionName = regexp.MustCompile(`^audit_events_y(\d{4})m(\d{2})$`)

// monthStart is the first instant of t's month in UTC.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func partitionOf(month time.Time) string {
	return fmt.Sprintf("audit_events_y%04dm%02d", month.Year(), int(month.Month()))
}

// EnsureAuditPartitions creates the partitions of now's month and the next
// monthsAhead months that do not exist yet.
func (s *Store) EnsureAuditPartitions(ctx context.Context, now time.Time) error {
	const op = "create audit partitions"
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit, a no-op
	if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock($1)`, int64(partitionLock)); err != nil {
		return wrap(op, err)
	}
	for i := range monthsAhead + 1 {
		from := monthStart(now).AddDate(0, i, 0)
		to := from.AddDate(0, 1, 0)
		name := pgx.Identifier{partitionOf(from)}.Sanitize()
		sql := fmt.Sprintf(`create table if not exists %s partition of audit_events for values from ('%s') to ('%s')`,
			name, from.Format(time.RFC3339), to.Format(time.RFC3339))
		if _, err := tx.Exec(ctx, sql); err != nil {
			return wrap(op+" "+name, err)
		}
	}
	return wrap(op, tx.Commit(ctx))
}

// DropExpiredAudit drops every monthly partition whose whole month ended
// more than retention before now and returns their names.
func (s *Store) DropExpiredAudit(ctx context.Context, now time.Time, retention time.Duration) ([]string, error) {
	const op = "drop expired audit partitions"
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit, a no-op
	if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock($1)`, int64(partitionLock)); err != nil {
		return nil, wrap(op, err)
	}
	rows, err := tx.Query(ctx, `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
		where i.inhparent = 'audit_events'::regclass`)
	if err != nil {
		return nil, wrap(op, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap(op, err)
	}
	cut := now.Add(-retention)
	var dropped []string
	for _, n := range names {
		m := partitionName.FindStringSubmatch(n)
		if m == nil {
			continue // not ours: a DBA's own partition stays
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		end := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
		if end.After(cut) {
			continue
		}
		if _, err := tx.Exec(ctx, `drop table `+pgx.Identifier{n}.Sanitize()); err != nil {
			return nil, wrap(op+" "+n, err)
		}
		dropped = append(dropped, n)
	}
	return dropped, wrap(op, tx.Commit(ctx))
}
