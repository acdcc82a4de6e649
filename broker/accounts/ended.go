package accounts

import (
	"context"
)

// Reasons of Ended: why a principal's sessions, or its sessions acting for
// a unit, should end everywhere.
const (
	EndedAgentDisabled  = "agent_disabled" // disabled or removed agent record: the person's sessions for that unit
	EndedUnitDisabled   = "unit_disabled"  // the unit's own sessions and its agents' for it
	EndedPersonDisabled = "person_disabled"
	EndedPasswordReset  = "password_reset"
)

// Ended is a change after which what was logged in as Subject (acting
// for UnitID only, when set) must end in every relying party too.
type Ended struct {
	Subject, UnitID, Reason string
}

// OnEnded sets f to be told of every such change the service makes, after
// it is stored (the broker sends back-channel logouts). Set it once, before
// the service is used.
func (s *Service) OnEnded(f func(context.Context, Ended)) { s.onEnded = f }

func (s *Service) ended(ctx context.Context, e Ended) {
	if s.onEnded != nil {
		s.onEnded(ctx, e)
	}
}

// unitEnded tells of a disabled unit: the unit itself (its legal-person
// logins) and each of its agents acting for it.
func (s *Service) unitEnded(ctx context.Context, unitID string) {
	if s.onEnded == nil {
		return
	}
	s.ended(ctx, Ended{Subject: UnitSubject(unitID), Reason: EndedUnitDisabled})
	cursor := ""
	for {
		agents, next, err := s.st.AgentsOfUnit(ctx, unitID, cursor, 100)
		if err != nil {
			return // the unit is disabled; its tokens fail their next check
		}
		for _, a := range agents {
			s.ended(ctx, Ended{Subject: a.PersonID, UnitID: unitID, Reason: EndedUnitDisabled})
		}
		if next == "" {
			return
		}
		cursor = next
	}
}

// disabling reports a status change from active to disabled.
func disabling(before, after string) bool {
	return before != StatusDisabled && after == StatusDisabled
}
