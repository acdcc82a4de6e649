// Package transfer copies the durable records of one store into another:
// how an existing Redis deployment moves its clients, units, persons,
// agents, links, staff roles, audit trail and signing key set to
// PostgreSQL (gjjid migrate --from … --to …). Back-channel logout
// deliveries still queued are not moved: a queue is drained, not copied
// (the README says to wait for gjjid_backchannel_logout_pending to reach 0). Copying is idempotent: a record the target
// already holds unchanged is counted, not written, so running it twice (or
// after an interruption) changes nothing the first run wrote.
package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// Source is what is read: the durable aggregates of any store.
type Source = store.Records

// Target is what is written. ImportAudit keeps an audit record's ID and
// time (postgres.Store has it); AppendAudit would stamp it anew.
type Target interface {
	Source
	ImportAudit(ctx context.Context, r store.AuditRecord) (bool, error)
}

// Count is what happened to one kind of record.
type Count struct {
	Kind      string
	Copied    int // written: new, or different in the target
	Unchanged int // already in the target as in the source
	Kept      int // differing in the target and left as it is there
}

func (c Count) String() string {
	s := fmt.Sprintf("%-8s %6d copied, %6d unchanged", c.Kind, c.Copied, c.Unchanged)
	if c.Kept > 0 {
		s += fmt.Sprintf(", %d kept as the target has them", c.Kept)
	}
	return s
}

// pageSize is how many records one list call reads.
const pageSize = 500

// Copy copies every durable record of from into to and returns the counts
// by kind; progress, if not nil, is called after each kind. Links and the
// key set are never overwritten: a link the target has differently stays
// (a binding made since), and a target that has its own key set keeps it
// (tokens it signed stay valid); both are counted as Kept.
func Copy(ctx context.Context, from Source, to Target, progress func(Count)) ([]Count, error) {
	steps := []struct {
		kind string
		run  func(ctx context.Context, from Source, to Target, c *Count) error
	}{
		{"clients", copyClients},
		{"units", copyUnits},
		{"persons", copyPersons},
		{"agents", copyAgents},
		{"links", copyLinks},
		{"staff", copyStaff},
		{"audit", copyAudit},
		{"key set", copyKeySet},
	}
	var out []Count
	for _, st := range steps {
		c := Count{Kind: st.kind}
		if err := st.run(ctx, from, to, &c); err != nil {
			return out, fmt.Errorf("transfer: %s: %w", st.kind, err)
		}
		out = append(out, c)
		if progress != nil {
			progress(c)
		}
	}
	return out, nil
}

// pages calls each with every record list returns, page by page.
func pages[T any](ctx context.Context, list func(ctx context.Context, cursor string, limit int) ([]*T, string, error), each func(*T) error) error {
	cursor := ""
	for {
		page, next, err := list(ctx, cursor, pageSize)
		if err != nil {
			return err
		}
		for _, v := range page {
			if err := each(v); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// syncRecord writes want unless get returns the same record (as JSON).
func syncRecord[T any](c *Count, want *T, get func() (*T, error), put func() error) error {
	have, err := get()
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err == nil && same(have, want) {
		c.Unchanged++
		return nil
	}
	if err := put(); err != nil {
		return err
	}
	c.Copied++
	return nil
}

// same compares two records as JSON, times to the microsecond: PostgreSQL
// keeps no more, so a nanosecond time read back from it is still the same.
func same(a, b any) bool {
	x, err1 := json.Marshal(normalise(a))
	y, err2 := json.Marshal(normalise(b))
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// normalise returns v as generic JSON with every RFC 3339 time truncated
// to the microsecond.
func normalise(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var g any
	if err := json.Unmarshal(b, &g); err != nil {
		return v
	}
	return truncateTimes(g)
}

func truncateTimes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = truncateTimes(e)
		}
	case []any:
		for i, e := range x {
			x[i] = truncateTimes(e)
		}
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.Truncate(time.Microsecond).UTC().Format(time.RFC3339Nano)
		}
	}
	return v
}

func copyClients(ctx context.Context, from Source, to Target, c *Count) error {
	return pages(ctx, from.ListClients, func(v *store.Client) error {
		return syncRecord(c, v, func() (*store.Client, error) { return to.GetClient(ctx, v.ID) }, func() error { return to.PutClient(ctx, v) })
	})
}

func copyUnits(ctx context.Context, from Source, to Target, c *Count) error {
	return pages(ctx, from.ListUnits, func(v *store.Unit) error {
		return syncRecord(c, v, func() (*store.Unit, error) { return to.GetUnit(ctx, v.ID) }, func() error { return to.PutUnit(ctx, v) })
	})
}

func copyPersons(ctx context.Context, from Source, to Target, c *Count) error {
	return pages(ctx, from.ListPersons, func(v *store.Person) error {
		return syncRecord(c, v, func() (*store.Person, error) { return to.GetPerson(ctx, v.ID) }, func() error { return to.PutPerson(ctx, v) })
	})
}

// copyAgents copies the agent records of every person of the source.
func copyAgents(ctx context.Context, from Source, to Target, c *Count) error {
	return pages(ctx, from.ListPersons, func(p *store.Person) error {
		want, err := from.AgentsOfPerson(ctx, p.ID)
		if err != nil {
			return err
		}
		have, err := to.AgentsOfPerson(ctx, p.ID)
		if err != nil {
			return err
		}
		byUnit := map[string]*store.Agent{}
		for _, a := range have {
			byUnit[a.UnitID] = a
		}
		for _, a := range want {
			if h, ok := byUnit[a.UnitID]; ok && same(h, a) {
				c.Unchanged++
				continue
			}
			if err := to.PutAgent(ctx, a); err != nil {
				return err
			}
			c.Copied++
		}
		return nil
	})
}

func copyLinks(ctx context.Context, from Source, to Target, c *Count) error {
	return pages(ctx, from.ListLinks, func(l *store.Link) error {
		have, err := to.GetLink(ctx, l.Connector, l.Subject)
		switch {
		case err == nil && same(have, l):
			c.Unchanged++
		case err == nil:
			c.Kept++
		case errors.Is(err, store.ErrNotFound):
			if err := to.AddLink(ctx, l); err != nil {
				return err
			}
			c.Copied++
		default:
			return err
		}
		return nil
	})
}

// copyStaff grants each staff member the roles the target lacks; roles the
// target has beyond the source's stay (counted as Kept): a migration never
// takes a role away.
func copyStaff(ctx context.Context, from Source, to Target, c *Count) error {
	members, err := from.ListStaff(ctx)
	if err != nil {
		return err
	}
	for _, m := range members {
		have, err := to.StaffRoles(ctx, m.PersonID)
		if err != nil {
			return err
		}
		var missing []string
		for _, r := range m.Roles {
			if !slices.Contains(have, r) {
				missing = append(missing, r)
			}
		}
		switch {
		case len(missing) > 0:
			if err := to.GrantStaffRoles(ctx, m.PersonID, missing...); err != nil {
				return err
			}
			c.Copied++
		case len(have) > len(m.Roles):
			c.Kept++
		default:
			c.Unchanged++
		}
	}
	return nil
}

func copyAudit(ctx context.Context, from Source, to Target, c *Count) error {
	after := ""
	for {
		recs, err := from.ReadAudit(ctx, time.Time{}, after, time.Time{}, pageSize)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		for _, r := range recs {
			added, err := to.ImportAudit(ctx, r)
			if err != nil {
				return err
			}
			if added {
				c.Copied++
			} else {
				c.Unchanged++
			}
			after = r.ID
		}
	}
}

func copyKeySet(ctx context.Context, from Source, to Target, c *Count) error {
	data, _, err := from.GetKeySet(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	have, _, err := to.GetKeySet(ctx)
	switch {
	case err == nil && string(have) == string(data):
		c.Unchanged++
	case err == nil:
		c.Kept++
	case errors.Is(err, store.ErrNotFound):
		if _, err := to.SwapKeySet(ctx, 0, data); err != nil {
			return err
		}
		c.Copied++
	default:
		return err
	}
	return nil
}
