package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

// SearchAudit returns up to limit records oldest first, after the record
// `after` (or from since), not later than until, filtered in the database
// with the indexes on the copied event fields:
//
//   - principal matches an event's principal, unit, actor unit, actor, or
//     the ID of its actor ("client:admin" matches "admin");
//   - typ is an exact type, or a prefix ending in "." ("admin.").
//
// Zero values do not filter. These are the admin API's audit queries.
func (s *Store) SearchAudit(ctx context.Context, since, until time.Time, principal, typ, after string, limit int) ([]store.AuditRecord, error) {
	const op = "search audit"
	limit = pageLimit(limit)
	where := []string{"true"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	switch {
	case after != "":
		at, seq, err := parseAuditID(after)
		if err != nil {
			return nil, err
		}
		where = append(where, "(at, seq) > ("+arg(at)+", "+arg(seq)+")")
	case !since.IsZero():
		where = append(where, "at >= "+arg(time.UnixMilli(since.UnixMilli()).UTC()))
	}
	if !until.IsZero() {
		where = append(where, "at < "+arg(time.UnixMilli(until.UnixMilli()+1).UTC()))
	}
	if principal != "" {
		p := arg(principal)
		where = append(where, "(principal = "+p+" or unit = "+p+" or actor_unit = "+p+" or actor = "+p+" or actor_id = "+p+")")
	}
	switch {
	case strings.HasSuffix(typ, "."):
		where = append(where, `type like `+arg(likePrefix(typ))+` escape '\'`)
	case typ != "":
		where = append(where, "type = "+arg(typ))
	}
	sql := `select at, seq, data from audit_events where ` + strings.Join(where, " and ") +
		` order by at, seq limit ` + arg(limit)
	// Planned for its own values every time (no cached generic plan): a
	// principal with a thousand events wants the filter indexes, a filter
	// matching most events the time order of the primary key. A generic
	// plan scans the primary key for every principal, seconds over ten
	// million events (BenchmarkSearchAuditByPrincipal).
	rows, err := s.q(ctx).Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.AuditRecord, error) {
		var at time.Time
		var seq int64
		var data string
		if err := r.Scan(&at, &seq, &data); err != nil {
			return store.AuditRecord{}, err
		}
		return store.AuditRecord{ID: auditID(at, seq), Data: []byte(data)}, nil
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	if out == nil {
		out = []store.AuditRecord{}
	}
	return out, nil
}

// likePrefix is a LIKE pattern matching strings that start with p.
func likePrefix(p string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(p) + "%"
}
