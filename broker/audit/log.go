package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gjjid/gjjid/broker/logmask"
	"github.com/gjjid/gjjid/broker/store"
)

// DefaultRetention is how long events are kept when config says nothing:
// 180 days, the minimum the 网络安全法 (art. 21) asks of network logs.
const DefaultRetention = 180 * 24 * time.Hour

// Log appends events to the store and mirrors them to a slog logger.
type Log struct {
	st        store.AuditLog
	log       *slog.Logger
	retention time.Duration
	now       func() time.Time
	// observe is told of every recorded event (Observe); nil: none.
	observe func(context.Context, Event)
}

// Observe has f told of every event recorded from now on, after it was
// appended (the dashboard's counters). Set it before serving.
func (l *Log) Observe(f func(context.Context, Event)) { l.observe = f }

var _ Recorder = (*Log)(nil)

// New returns a Log over st keeping events for retention (DefaultRetention
// when not positive). logger may be nil (no mirror).
func New(st store.AuditLog, logger *slog.Logger, retention time.Duration) *Log {
	if retention <= 0 {
		retention = DefaultRetention
	}
	return &Log{st: st, log: logger, retention: retention, now: time.Now}
}

// Record stamps e with the time, masks it, appends it and mirrors it to
// the log. The store error is returned: an action that must be audited
// should not proceed silently without its record.
func (l *Log) Record(ctx context.Context, e Event) error {
	if e.Time.IsZero() {
		e.Time = l.now().UTC()
	}
	if e.Outcome == "" {
		e.Outcome = Success
	}
	e = masked(e)
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: encode %s: %w", e.Type, err)
	}
	id, err := l.st.AppendAudit(ctx, data, l.retention)
	if l.log != nil {
		attrs := []any{"audit_id", id, "type", e.Type, "action", e.Action, "outcome", e.Outcome, "reason", e.Reason,
			"actor", e.Actor, "principal", e.Principal, "unit", e.Unit, "connector", e.Connector, "client", e.Client,
			"subject", e.Subject, "ip", e.IP}
		if e.Before != nil {
			attrs = append(attrs, "before", e.Before)
		}
		if e.After != nil {
			attrs = append(attrs, "after", e.After)
		}
		if err != nil {
			attrs = append(attrs, "store_err", err.Error())
		}
		l.log.LogAttrs(ctx, slog.LevelInfo, "audit", argsToAttrs(attrs)...)
	}
	if err != nil {
		return fmt.Errorf("audit: append %s: %w", e.Type, err)
	}
	if l.observe != nil {
		l.observe(ctx, e)
	}
	return nil
}

func argsToAttrs(args []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		k, _ := args[i].(string)
		if s, ok := args[i+1].(string); ok && s == "" {
			continue
		}
		out = append(out, slog.Any(k, args[i+1]))
	}
	return out
}

// masked masks ID- and mobile-shaped numbers in every string of e: callers
// put masked forms in, and this catches what one of them forgot.
func masked(e Event) Event {
	for _, p := range []*string{&e.Action, &e.Reason, &e.Actor, &e.ActorUnit, &e.Principal, &e.Unit,
		&e.Connector, &e.Client, &e.Subject, &e.IP, &e.UserAgent} {
		*p = logmask.Mask(*p)
	}
	e.Before, e.After = maskMap(e.Before), maskMap(e.After)
	return e
}

func maskMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = maskAny(v)
	}
	return out
}

func maskAny(v any) any {
	switch x := v.(type) {
	case string:
		return logmask.Mask(x)
	case []string:
		o := make([]string, len(x))
		for i, s := range x {
			o[i] = logmask.Mask(s)
		}
		return o
	case map[string]any:
		return maskMap(x)
	case []any:
		o := make([]any, len(x))
		for i, s := range x {
			o[i] = maskAny(s)
		}
		return o
	}
	return v
}

// Query selects events. Zero fields do not filter.
type Query struct {
	Since     time.Time
	Until     time.Time
	Principal string // matches Principal, Actor ("…:<id>"), Unit or ActorUnit
	Type      string // exact type, or a prefix ending in "." ("admin.")
	After     string // cursor: the Next of a previous page
	Limit     int    // default 100, at most 1000
}

// maxScan bounds the records one Query call reads while filtering, so a
// rare principal does not make one request read the whole stream; the
// caller pages on with Next.
const maxScan = 5000

// Query returns matching events oldest first and the cursor of the next
// page ("" at the end).
func (l *Log) Query(ctx context.Context, q Query) ([]Event, string, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	if s, ok := l.st.(Searcher); ok {
		if out, next, err := search(ctx, s, q, limit); !errors.Is(err, errors.ErrUnsupported) {
			return out, next, err
		}
	}
	out := []Event{}
	after, scanned := q.After, 0
	for scanned < maxScan {
		recs, err := l.st.ReadAudit(ctx, q.Since, after, q.Until, 500)
		if err != nil {
			return nil, "", fmt.Errorf("audit: query: %w", err)
		}
		if len(recs) == 0 {
			return out, "", nil
		}
		for _, r := range recs {
			scanned++
			after = r.ID
			var e Event
			if err := json.Unmarshal(r.Data, &e); err != nil {
				return nil, "", fmt.Errorf("audit: query: record %s: %w", r.ID, err)
			}
			e.ID = r.ID
			if q.matches(e) {
				out = append(out, e)
				if len(out) == limit {
					return out, after, nil
				}
			}
		}
	}
	return out, after, nil
}

func (q Query) matches(e Event) bool {
	if q.Principal != "" {
		p := q.Principal
		if e.Principal != p && e.Unit != p && e.ActorUnit != p && e.Actor != p && !hasIDSuffix(e.Actor, p) {
			return false
		}
	}
	if q.Type != "" {
		if q.Type[len(q.Type)-1] == '.' {
			if len(e.Type) < len(q.Type) || e.Type[:len(q.Type)] != q.Type {
				return false
			}
		} else if e.Type != q.Type {
			return false
		}
	}
	return true
}

// hasIDSuffix: actor "client:admin" matches principal "admin".
func hasIDSuffix(actor, id string) bool {
	return len(actor) > len(id)+1 && actor[len(actor)-len(id)-1] == ':' && actor[len(actor)-len(id):] == id
}
