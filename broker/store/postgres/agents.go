package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

const agentColumns = `person_id, unit_id, roles, status, created_at`

func scanAgent(r pgx.CollectableRow) (*store.Agent, error) {
	var a store.Agent
	if err := r.Scan(&a.PersonID, &a.UnitID, &a.Roles, &a.Status, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

func agentArgs(a *store.Agent) []any {
	return []any{a.PersonID, a.UnitID, a.Roles, a.Status, a.CreatedAt}
}

// AddAgent creates the record; ErrConflict when (person, unit) has one.
func (s *Store) AddAgent(ctx context.Context, a *store.Agent) error {
	const op = "add agent"
	if err := required(op, "person ID", a.PersonID, "unit ID", a.UnitID); err != nil {
		return err
	}
	return insertOnce(ctx, s, op, a.PersonID+" for unit "+a.UnitID,
		`insert into agents (`+agentColumns+`) values ($1, $2, $3, $4, $5) on conflict do nothing`, agentArgs(a)...)
}

// PutAgent creates or replaces the record for (person, unit).
func (s *Store) PutAgent(ctx context.Context, a *store.Agent) error {
	const op = "put agent"
	if err := required(op, "person ID", a.PersonID, "unit ID", a.UnitID); err != nil {
		return err
	}
	_, err := s.q(ctx).Exec(ctx, `insert into agents (`+agentColumns+`) values ($1, $2, $3, $4, $5)
		on conflict (person_id, unit_id) do update set roles = excluded.roles, status = excluded.status,
			created_at = excluded.created_at`, agentArgs(a)...)
	return wrap(op, err)
}

// AgentsOfPerson returns the person's records ordered by unit ID.
func (s *Store) AgentsOfPerson(ctx context.Context, personID string) ([]*store.Agent, error) {
	return queryAll(ctx, s, "agents of person", scanAgent,
		`select `+agentColumns+` from agents where person_id = $1 order by unit_id`, personID)
}

// AgentsOfUnit pages the unit's records in person-ID order.
func (s *Store) AgentsOfUnit(ctx context.Context, unitID, cursor string, limit int) ([]*store.Agent, string, error) {
	limit = pageLimit(limit)
	out, err := queryAll(ctx, s, "agents of unit", scanAgent,
		`select `+agentColumns+` from agents where unit_id = $1 and person_id > $2 order by person_id limit $3`,
		unitID, cursor, limit+1)
	if err != nil {
		return nil, "", err
	}
	return trimPage(out, limit, func(a *store.Agent) string { return a.PersonID })
}

// DeleteAgent removes the record; ErrNotFound when there is none.
func (s *Store) DeleteAgent(ctx context.Context, personID, unitID string) error {
	const op = "delete agent"
	tag, err := s.q(ctx).Exec(ctx, `delete from agents where person_id = $1 and unit_id = $2`, personID, unitID)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s %q for unit %q: %w", op, personID, unitID, store.ErrNotFound)
	}
	return nil
}
