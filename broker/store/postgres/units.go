package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

const unitColumns = `id, customer_no, org_code, name, status, created_at`

// unitArgs are the values of unitColumns for u; an empty OrgCode is NULL,
// which the unique constraint does not count.
func unitArgs(u *store.Unit) []any {
	return []any{u.ID, u.CustomerNo, nullable(u.OrgCode), u.Name, u.Status, u.CreatedAt}
}

func scanUnit(r pgx.CollectableRow) (*store.Unit, error) {
	var u store.Unit
	var org *string
	if err := r.Scan(&u.ID, &u.CustomerNo, &org, &u.Name, &u.Status, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.OrgCode = deref(org)
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// AddUnit creates the unit; ErrConflict when its ID or 组织机构代码 is taken.
func (s *Store) AddUnit(ctx context.Context, u *store.Unit) error {
	const op = "add unit"
	if err := required(op, "ID", u.ID); err != nil {
		return err
	}
	return insertOnce(ctx, s, op, u.ID,
		`insert into units (`+unitColumns+`) values ($1, $2, $3, $4, $5, $6) on conflict do nothing`, unitArgs(u)...)
}

// PutUnit creates or replaces the unit; ErrConflict when its 组织机构代码
// belongs to another unit.
func (s *Store) PutUnit(ctx context.Context, u *store.Unit) error {
	const op = "put unit"
	if err := required(op, "ID", u.ID); err != nil {
		return err
	}
	_, err := s.q(ctx).Exec(ctx, `insert into units (`+unitColumns+`) values ($1, $2, $3, $4, $5, $6)
		on conflict (id) do update set customer_no = excluded.customer_no, org_code = excluded.org_code,
			name = excluded.name, status = excluded.status, created_at = excluded.created_at`, unitArgs(u)...)
	return wrap(op, err)
}

// GetUnit returns the unit.
func (s *Store) GetUnit(ctx context.Context, id string) (*store.Unit, error) {
	return queryOne(ctx, s, "get unit", scanUnit, `select `+unitColumns+` from units where id = $1`, id)
}

// FindUnitByOrgCode returns the unit whose OrgCode is org.
func (s *Store) FindUnitByOrgCode(ctx context.Context, org string) (*store.Unit, error) {
	return queryOne(ctx, s, "find unit by org code", scanUnit, `select `+unitColumns+` from units where org_code = $1`, org)
}

// ListUnits pages the units in ID order.
func (s *Store) ListUnits(ctx context.Context, cursor string, limit int) ([]*store.Unit, string, error) {
	limit = pageLimit(limit)
	out, err := queryAll(ctx, s, "list units", scanUnit,
		`select `+unitColumns+` from units where id > $1 order by id limit $2`, cursor, limit+1)
	if err != nil {
		return nil, "", err
	}
	return trimPage(out, limit, func(u *store.Unit) string { return u.ID })
}

// insertOnce runs an insert … on conflict do nothing and reports a row it
// did not insert as store.ErrConflict. Unlike a unique violation, this
// leaves a surrounding transaction (InTx) usable.
func insertOnce(ctx context.Context, s *Store, op, what, sql string, args ...any) error {
	tag, err := s.q(ctx).Exec(ctx, sql, args...)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s %s: %w", op, what, store.ErrConflict)
	}
	return nil
}

// queryOne runs a query expected to return one row; none is ErrNotFound.
func queryOne[T any](ctx context.Context, s *Store, op string, scan pgx.RowToFunc[*T], sql string, args ...any) (*T, error) {
	rows, err := s.q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scan)
	if err != nil {
		return nil, wrap(op, err)
	}
	return v, nil
}

// queryAll runs a query and scans every row; none is an empty slice.
func queryAll[T any](ctx context.Context, s *Store, op string, scan pgx.RowToFunc[*T], sql string, args ...any) ([]*T, error) {
	rows, err := s.q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, wrap(op, err)
	}
	if out == nil {
		out = []*T{}
	}
	return out, nil
}

// nullable maps "" to NULL, which unique constraints do not count.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
