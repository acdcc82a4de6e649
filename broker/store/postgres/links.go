package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

const linkColumns = `connector, subject, kind, person_id, unit_id, label, created_by, created_at`

func scanLink(r pgx.CollectableRow) (*store.Link, error) {
	var l store.Link
	var person, unit *string
	if err := r.Scan(&l.Connector, &l.Subject, &l.Kind, &person, &unit, &l.Label, &l.CreatedBy, &l.CreatedAt); err != nil {
		return nil, err
	}
	l.PersonID, l.UnitID = deref(person), deref(unit)
	l.CreatedAt = l.CreatedAt.UTC()
	return &l, nil
}

// AddLink stores l; ErrConflict when (connector, subject) is linked: the
// primary key makes every upstream identity and certificate binding unique.
func (s *Store) AddLink(ctx context.Context, l *store.Link) error {
	const op = "add link"
	if err := required(op, "connector", l.Connector, "subject", l.Subject, "kind", l.Kind); err != nil {
		return err
	}
	return insertOnce(ctx, s, op, l.Connector+": already linked",
		`insert into links (`+linkColumns+`) values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
		l.Connector, l.Subject, l.Kind, nullable(l.PersonID), nullable(l.UnitID), l.Label, l.CreatedBy, l.CreatedAt)
}

// GetLink returns the link of (connector, subject).
func (s *Store) GetLink(ctx context.Context, connector, subject string) (*store.Link, error) {
	return queryOne(ctx, s, "get link", scanLink,
		`select `+linkColumns+` from links where connector = $1 and subject = $2`, connector, subject)
}

// DeleteLink removes the link; ErrNotFound when there is none.
func (s *Store) DeleteLink(ctx context.Context, connector, subject string) error {
	const op = "delete link"
	tag, err := s.q(ctx).Exec(ctx, `delete from links where connector = $1 and subject = $2`, connector, subject)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s %s: %w", op, connector, store.ErrNotFound)
	}
	return nil
}

// linkCursor names a link in a page cursor; \x00 cannot occur in a
// PostgreSQL text value, so it separates connector and subject safely.
func linkCursor(l *store.Link) string { return l.Connector + "\x00" + l.Subject }

// ListLinks pages every link in (connector, subject) order.
func (s *Store) ListLinks(ctx context.Context, cursor string, limit int) ([]*store.Link, string, error) {
	limit = pageLimit(limit)
	connector, subject, _ := strings.Cut(cursor, "\x00")
	out, err := queryAll(ctx, s, "list links", scanLink,
		`select `+linkColumns+` from links where (connector, subject) > ($1, $2)
		order by connector, subject limit $3`, connector, subject, limit+1)
	if err != nil {
		return nil, "", err
	}
	return trimPage(out, limit, linkCursor)
}

// LinksOf returns the links to a person or unit ID in (connector, subject)
// order; an agent link counts for its person and its unit.
func (s *Store) LinksOf(ctx context.Context, principalID string) ([]*store.Link, error) {
	if principalID == "" {
		return []*store.Link{}, nil
	}
	return queryAll(ctx, s, "links of", scanLink,
		`select `+linkColumns+` from links where person_id = $1
		union select `+linkColumns+` from links where unit_id = $1
		order by connector, subject`, principalID)
}
