package postgres

import (
	"context"

	"github.com/gjjid/gjjid/broker/store"
)

// GrantStaffRoles adds roles to the person's in one statement: concurrent
// grants of different roles are different rows, so none is lost.
func (s *Store) GrantStaffRoles(ctx context.Context, personID string, roles ...string) error {
	const op = "grant staff roles"
	if err := store.StaffInput("postgres: "+op, personID, roles); err != nil {
		return err
	}
	_, err := s.q(ctx).Exec(ctx, `insert into staff_roles (person_id, role)
		select $1, unnest($2::text[]) on conflict do nothing`, personID, roles)
	return wrap(op, err)
}

// RevokeStaffRoles removes roles; a person left with none is no longer
// staff (no row is left).
func (s *Store) RevokeStaffRoles(ctx context.Context, personID string, roles ...string) error {
	const op = "revoke staff roles"
	if err := store.StaffInput("postgres: "+op, personID, roles); err != nil {
		return err
	}
	_, err := s.q(ctx).Exec(ctx, `delete from staff_roles where person_id = $1 and role = any($2::text[])`, personID, roles)
	return wrap(op, err)
}

// StaffRoles returns the person's roles, sorted.
func (s *Store) StaffRoles(ctx context.Context, personID string) ([]string, error) {
	const op = "staff roles"
	rows, err := s.q(ctx).Query(ctx, `select role from staff_roles where person_id = $1 order by role`, personID)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var roles []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, wrap(op, err)
		}
		roles = append(roles, r)
	}
	return roles, wrap(op, rows.Err())
}

// ListStaff returns every staff member in person-ID order.
func (s *Store) ListStaff(ctx context.Context) ([]*store.StaffMember, error) {
	const op = "list staff"
	rows, err := s.q(ctx).Query(ctx, `select person_id, array_agg(role order by role) from staff_roles
		group by person_id order by person_id`)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	out := []*store.StaffMember{}
	for rows.Next() {
		m := &store.StaffMember{}
		if err := rows.Scan(&m.PersonID, &m.Roles); err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, m)
	}
	return out, wrap(op, rows.Err())
}
