package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gjjid/gjjid/broker/store"
)

// AddAgent makes the person an active agent (经办人) of the unit with roles
// (default [operator]; known: unit_admin, operator). Person and unit must
// exist; an existing record for the pair yields an error wrapping
// store.ErrConflict and changes nothing.
func (s *Service) AddAgent(ctx context.Context, personID, unitID string, roles []string) (*store.Agent, error) {
	roles, err := normalizeRoles(roles)
	if err != nil {
		return nil, fmt.Errorf("accounts: add agent: %w", err)
	}
	p, err := s.GetPerson(ctx, personID)
	if err != nil {
		return nil, fmt.Errorf("accounts: add agent: %w", err)
	}
	u, err := s.GetUnit(ctx, unitID)
	if err != nil {
		return nil, fmt.Errorf("accounts: add agent: %w", err)
	}
	a := &store.Agent{PersonID: p.ID, UnitID: u.ID, Roles: roles, Status: StatusActive, CreatedAt: s.now().UTC()}
	if err := s.st.AddAgent(ctx, a); err != nil {
		return nil, fmt.Errorf("accounts: add agent %s for unit %s: %w", p.ID, u.ID, err)
	}
	return a, nil
}

// Agent returns the record of person for unit; store.ErrNotFound when the
// person is no agent of the unit.
func (s *Service) Agent(ctx context.Context, personID, unitID string) (*store.Agent, error) {
	a, err := s.agent(ctx, personID, unitID)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	if a == nil {
		return nil, fmt.Errorf("accounts: person %s is no agent of unit %s: %w", personID, unitID, store.ErrNotFound)
	}
	return a, nil
}

// agent returns the agent record of person for unit, or nil.
func (s *Service) agent(ctx context.Context, personID, unitID string) (*store.Agent, error) {
	as, err := s.st.AgentsOfPerson(ctx, personID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("agents of person %s: %w", personID, err)
	}
	for _, a := range as {
		if a.UnitID == unitID {
			return a, nil
		}
	}
	return nil, nil
}

// AgentsOfUnit pages the unit's agent records in person-ID order.
func (s *Service) AgentsOfUnit(ctx context.Context, unitID, cursor string, limit int) ([]*store.Agent, string, error) {
	as, next, err := s.st.AgentsOfUnit(ctx, unitID, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("accounts: agents of unit %s: %w", unitID, err)
	}
	return as, next, nil
}

// AgentChange is a partial update of an agent record; nil fields stay.
type AgentChange struct {
	Roles  []string `json:"roles,omitempty"`
	Status *string  `json:"status,omitempty"`
}

// UpdateAgent applies ch and returns the record before and after.
func (s *Service) UpdateAgent(ctx context.Context, personID, unitID string, ch AgentChange) (before, after *store.Agent, err error) {
	before, err = s.Agent(ctx, personID, unitID)
	if err != nil {
		return nil, nil, err
	}
	a := *before
	if ch.Roles != nil {
		if a.Roles, err = normalizeRoles(ch.Roles); err != nil {
			return nil, nil, fmt.Errorf("accounts: update agent: %w", err)
		}
	}
	if ch.Status != nil {
		if err := checkStatus(*ch.Status); err != nil {
			return nil, nil, fmt.Errorf("accounts: update agent: %w", err)
		}
		a.Status = *ch.Status
	}
	if err := s.st.PutAgent(ctx, &a); err != nil {
		return nil, nil, fmt.Errorf("accounts: update agent %s for unit %s: %w", personID, unitID, err)
	}
	if disabling(before.Status, a.Status) {
		s.ended(ctx, Ended{Subject: personID, UnitID: unitID, Reason: EndedAgentDisabled})
	}
	return before, &a, nil
}

// RemoveAgent deletes the record; store.ErrNotFound when there is none.
func (s *Service) RemoveAgent(ctx context.Context, personID, unitID string) error {
	if err := s.st.DeleteAgent(ctx, personID, unitID); err != nil {
		return fmt.Errorf("accounts: remove agent %s from unit %s: %w", personID, unitID, err)
	}
	s.ended(ctx, Ended{Subject: personID, UnitID: unitID, Reason: EndedAgentDisabled})
	return nil
}

// HasRole reports whether the agent record is active and carries role.
func HasRole(a *store.Agent, role string) bool {
	return a != nil && a.Status == StatusActive && slices.Contains(a.Roles, role)
}
