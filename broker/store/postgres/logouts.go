package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

// The back-channel logout queue (store.LogoutQueue) in two tables:
// logout_queue holds each delivery with the time it is next due, and
// logout_finished the IDs recently sent or given up. Claims lease rows with
// FOR UPDATE SKIP LOCKED, so concurrent instances never take the same row.

// EnqueueLogouts adds the deliveries neither queued nor recently finished,
// in one statement.
func (s *Store) EnqueueLogouts(ctx context.Context, ds []*store.LogoutDelivery, due time.Time) error {
	const op = "enqueue logouts"
	if len(ds) == 0 {
		return nil
	}
	now := time.Now()
	ids, items, expires := make([]string, len(ds)), make([][]byte, len(ds)), make([]time.Time, len(ds))
	for i, d := range ds {
		if err := store.Required("postgres: "+op, "delivery ID", d.ID, "client ID", d.ClientID); err != nil {
			return err
		}
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("postgres: %s: encode: %w", op, err)
		}
		// Kept a while past its deadline, so a late claim still finds it.
		ids[i], items[i], expires[i] = d.ID, b, now.Add(max(d.Deadline.Sub(now), 0)+time.Hour)
	}
	_, err := s.q(ctx).Exec(ctx, `insert into logout_queue (id, delivery, due, expires)
		select i.id, i.delivery, $1, i.expires
		from unnest($2::text[], $3::jsonb[], $4::timestamptz[]) as i(id, delivery, expires)
		where not exists (select 1 from logout_finished f where f.id = i.id and f."until" > $5)
		on conflict (id) do nothing`, due, ids, items, expires, now)
	return wrap(op, err)
}

// ClaimLogouts leases up to limit due deliveries, earliest first, and drops
// those kept past their deadline.
func (s *Store) ClaimLogouts(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.LogoutDelivery, error) {
	const op = "claim logouts"
	if err := store.Lifetime("postgres: "+op, lease); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	if _, err := s.q(ctx).Exec(ctx, `delete from logout_queue where expires <= $1`, time.Now()); err != nil {
		return nil, wrap(op, err)
	}
	rows, err := s.q(ctx).Query(ctx, `with c as (
			select id, due from logout_queue where due <= $1
			order by due, id limit $3 for update skip locked)
		update logout_queue q set due = $2 from c where q.id = c.id
		returning q.delivery, c.due`, now, now.Add(lease), limit)
	if err != nil {
		return nil, wrap(op, err)
	}
	type claimed struct {
		d   *store.LogoutDelivery
		due time.Time
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimed, error) {
		var raw []byte
		var c claimed
		if err := r.Scan(&raw, &c.due); err != nil {
			return c, err
		}
		c.d = &store.LogoutDelivery{}
		return c, json.Unmarshal(raw, c.d)
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	slices.SortFunc(got, func(a, b claimed) int { return cmp.Or(a.due.Compare(b.due), cmp.Compare(a.d.ID, b.d.ID)) })
	out := make([]*store.LogoutDelivery, len(got))
	for i, c := range got {
		out[i] = c.d
	}
	return out, nil
}

// RetryLogout stores d and makes it due at due; ErrNotFound when it was
// finished (or dropped) meanwhile.
func (s *Store) RetryLogout(ctx context.Context, d *store.LogoutDelivery, due time.Time) error {
	const op = "retry logout"
	if err := store.Required("postgres: "+op, "delivery ID", d.ID); err != nil {
		return err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("postgres: %s: encode: %w", op, err)
	}
	tag, err := s.q(ctx).Exec(ctx, `update logout_queue set delivery = $2, due = $3 where id = $1`, d.ID, b, due)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s %q: %w", op, d.ID, store.ErrNotFound)
	}
	return nil
}

// FinishLogout removes the delivery and remembers its ID for keep, in one
// statement; finished IDs past their keep time are dropped on the way.
func (s *Store) FinishLogout(ctx context.Context, id string, keep time.Duration) error {
	const op = "finish logout"
	if err := store.Required("postgres: "+op, "delivery ID", id); err != nil {
		return err
	}
	if err := store.Lifetime("postgres: "+op, keep); err != nil {
		return err
	}
	now := time.Now()
	_, err := s.q(ctx).Exec(ctx, `with gone as (delete from logout_queue where id = $1),
			old as (delete from logout_finished where "until" <= $3 and id <> $1)
		insert into logout_finished (id, "until") values ($1, $2)
		on conflict (id) do update set "until" = excluded."until"`, id, now.Add(keep), now)
	return wrap(op, err)
}

// PendingLogouts counts the queued deliveries.
func (s *Store) PendingLogouts(ctx context.Context) (int64, error) {
	var n int64
	err := s.q(ctx).QueryRow(ctx, `select count(*) from logout_queue`).Scan(&n)
	return n, wrap("pending logouts", err)
}
