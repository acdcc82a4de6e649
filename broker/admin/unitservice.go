package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
)

// UnitSelfService is the unit self-service logic (单位登录权限管理): who
// may manage a unit's agents and every change they may make, each audited.
// The JSON API at /api/v1/unit and the /unit page both call it, so the two
// cannot disagree on a rule.
type UnitSelfService struct{ a *API }

// UnitSelfService returns the self-service logic of the API.
func (a *API) UnitSelfService() *UnitSelfService { return &UnitSelfService{a: a} }

// UnitActor is who makes a self-service change, for the rules and the
// audit trail.
type UnitActor struct {
	ID        string // "unit:<credit code>" (the unit's certificate) or "person:<id>"
	Subject   string // the login's subject
	Unit      string // the unit administered
	Client    string // the client the login came through
	IP        string
	UserAgent string
	// Attempt names what was tried, for the audit event of a refused
	// Admit ("POST /api/v1/unit/agents", "GET /unit").
	Attempt string
}

// Problem is why a self-service change was refused: Status the HTTP
// status, Code the API's error code, Reason a stable code for pages
// ("not_agent_of_unit", "agent_of_other_units", "name_mismatch",
// "password_required", "self_disable", "not_unit_admin", "no_unit"), Field
// the input named, Description the API's English text.
type Problem struct {
	Status                           int
	Code, Reason, Field, Description string
}

// ProblemOf describes err if it is a refusal of the rules or of input
// validation; ok is false for other errors (store outages, bugs).
func ProblemOf(err error) (p Problem, ok bool) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return Problem{Status: ae.Status, Code: ae.Code, Reason: ae.Reason, Field: ae.Field, Description: ae.Description}, true
	case errors.Is(err, accounts.ErrInvalid):
		field, _ := accounts.Field(err)
		return Problem{Status: http.StatusBadRequest, Code: "invalid_request", Reason: "invalid", Field: field, Description: invalidText(err)}, true
	case errors.Is(err, store.ErrConflict):
		return Problem{Status: http.StatusConflict, Code: "conflict", Reason: "conflict", Description: "already exists"}, true
	}
	return Problem{}, false
}

func refused(reason, desc string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "forbidden", Reason: reason, Description: desc}
}

// Admit decides whether subject, signed in for unit, may manage the unit's
// agents: the unit's own login (its certificate), or an agent of the unit
// who is active and has the unit_admin role now. A refusal is audited.
func (s *UnitSelfService) Admit(ctx context.Context, subject, unit string, who UnitActor) (UnitActor, error) {
	who.Subject, who.Unit, who.ID = subject, unit, "person:"+subject
	if unit == "" {
		s.record(ctx, who, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "no_unit", Action: who.Attempt})
		return who, refused("no_unit", "the login does not act for a unit")
	}
	if u, ok := accounts.UnitOfSubject(subject); ok && u == unit {
		who.ID = "unit:" + unit
		return who, nil
	}
	ag, err := s.a.o.Accounts.Agent(ctx, subject, unit)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return who, err
	}
	if !accounts.HasRole(ag, accounts.RoleUnitAdmin) {
		s.record(ctx, who, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "not_unit_admin", Action: who.Attempt})
		return who, refused("not_unit_admin", "only the unit's administrators (unit_admin) may manage its agents")
	}
	return who, nil
}

// AgentEntry is an agent of the unit with the person's masked identity
// (Person is nil when the person record is gone).
type AgentEntry struct {
	Agent  *store.Agent
	Person *store.Person
}

// Agents lists the unit's agents, up to 500.
func (s *UnitSelfService) Agents(ctx context.Context, unit string) ([]AgentEntry, error) {
	as, _, err := s.a.o.Accounts.AgentsOfUnit(ctx, unit, "", 500)
	if err != nil {
		return nil, err
	}
	out := make([]AgentEntry, 0, len(as))
	for _, ag := range as {
		p, err := s.a.o.Accounts.GetPerson(ctx, ag.PersonID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		out = append(out, AgentEntry{Agent: ag, Person: p})
	}
	return out, nil
}

// NewUnitAgent is an agent to add: a new person, or one the broker knows
// by ID number (then the name must match and nothing else is used).
type NewUnitAgent struct {
	Name, IDType, IDNumber, Mobile, Password string
	Roles                                    []string
}

// CreateAgent makes a person an agent of the actor's unit. A new person is
// created with the given mobile and initial password. A person the broker
// already knows (an agent of another unit) is added as they are: the name
// must match, and neither their mobile nor their password changes, since
// one unit must not take over a person other units rely on.
func (s *UnitSelfService) CreateAgent(ctx context.Context, who UnitActor, in NewUnitAgent) (ag *store.Agent, p *store.Person, existing bool, err error) {
	if in.IDType == "" {
		in.IDType = accounts.IDTypeResident
	}
	existing = true
	p, err = s.a.o.Accounts.FindByIDNumber(ctx, in.IDType, in.IDNumber)
	switch {
	case errors.Is(err, store.ErrNotFound):
		existing = false
		if in.Password == "" {
			e := badRequest("password", "password: an initial 6-digit password is required for a new agent")
			e.Reason = "password_required"
			return nil, nil, false, e
		}
		p, err = s.a.o.Accounts.CreatePerson(ctx, accounts.NewPerson{Name: in.Name, IDType: in.IDType, IDNumber: in.IDNumber, Mobile: in.Mobile, Password: in.Password})
		if err != nil {
			return nil, nil, false, err
		}
		s.record(ctx, who, audit.Event{Action: "persons.create", Principal: p.ID, Unit: who.Unit, After: auditPerson(p)})
	case err != nil:
		return nil, nil, false, err
	case strings.TrimSpace(in.Name) != p.Name:
		e := badRequest("name", "name: does not match the holder of this ID number on record")
		e.Reason = "name_mismatch"
		return nil, nil, false, e
	}
	ag, err = s.a.o.Accounts.AddAgent(ctx, p.ID, who.Unit, in.Roles)
	if err != nil {
		return nil, nil, false, err
	}
	s.record(ctx, who, audit.Event{Action: "agents.create", Principal: p.ID, Unit: who.Unit, After: auditAgent(ag)})
	return ag, p, existing, nil
}

// agent loads the agent record of personID in the actor's unit, refusing
// (audited, nothing changed) a person who is no agent of it.
func (s *UnitSelfService) agent(ctx context.Context, who UnitActor, personID, action string) (*store.Agent, error) {
	ag, err := s.a.o.Accounts.Agent(ctx, personID, who.Unit)
	if errors.Is(err, store.ErrNotFound) {
		s.record(ctx, who, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "not_agent_of_unit", Action: action, Principal: personID, Unit: who.Unit})
		return nil, refused("not_agent_of_unit", "this person is not an agent of your unit")
	}
	return ag, err
}

// SetAgentStatus enables or disables an agent of the actor's unit; nobody
// disables themselves. Disabling revokes the person's browser sessions and
// tokens.
func (s *UnitSelfService) SetAgentStatus(ctx context.Context, who UnitActor, personID, status string) (*store.Agent, error) {
	action := "agents.enable"
	if status == accounts.StatusDisabled {
		action = "agents.disable"
	}
	ag, err := s.agent(ctx, who, personID, action)
	if err != nil {
		return nil, err
	}
	if ag.PersonID == who.Subject && status == accounts.StatusDisabled {
		e := badRequest("person", "you cannot disable yourself; ask another unit administrator")
		e.Reason = "self_disable"
		return nil, e
	}
	before, after, err := s.a.o.Accounts.UpdateAgent(ctx, ag.PersonID, ag.UnitID, accounts.AgentChange{Status: &status})
	if err != nil {
		return nil, err
	}
	s.record(ctx, who, audit.Event{Action: action, Principal: ag.PersonID, Unit: ag.UnitID, Before: auditAgent(before), After: auditAgent(after)})
	if status == accounts.StatusDisabled {
		// A disabled agent's browser sessions and tokens must not keep
		// acting for the unit. Revocation marks name a subject, not a
		// unit, so the person signs in again for their other units too.
		now := s.a.o.Now()
		if err := s.a.o.Store.RevokeSubject(ctx, ag.PersonID, now, now.Add(s.a.o.RevokeFor)); err != nil {
			return after, fmt.Errorf("admin: revoke the sessions of disabled agent %s: %w", ag.PersonID, err)
		}
		s.record(ctx, who, audit.Event{Type: audit.TokenRevoke, Action: "principals.revoke", Reason: "agent_disabled", Principal: ag.PersonID, Unit: ag.UnitID})
	}
	return after, nil
}

// SetAgentRoles changes an agent's roles in the actor's unit; nobody takes
// unit_admin from themselves (the unit would risk losing its last one).
func (s *UnitSelfService) SetAgentRoles(ctx context.Context, who UnitActor, personID string, roles []string) (*store.Agent, error) {
	const action = "agents.update"
	ag, err := s.agent(ctx, who, personID, action)
	if err != nil {
		return nil, err
	}
	if ag.PersonID == who.Subject && !slices.Contains(roles, accounts.RoleUnitAdmin) {
		e := badRequest("roles", "roles: you cannot take unit_admin from yourself; ask another unit administrator")
		e.Reason = "self_demote"
		return nil, e
	}
	if roles == nil {
		roles = []string{} // the default role, not "unchanged"
	}
	before, after, err := s.a.o.Accounts.UpdateAgent(ctx, ag.PersonID, ag.UnitID, accounts.AgentChange{Roles: roles})
	if err != nil {
		return nil, err
	}
	s.record(ctx, who, audit.Event{Action: action, Principal: ag.PersonID, Unit: ag.UnitID, Before: auditAgent(before), After: auditAgent(after)})
	return after, nil
}

// RemoveAgent ends a person's agency for the actor's unit; the person
// stays (other units may rely on them). Nobody removes themselves.
func (s *UnitSelfService) RemoveAgent(ctx context.Context, who UnitActor, personID string) error {
	const action = "agents.delete"
	ag, err := s.agent(ctx, who, personID, action)
	if err != nil {
		return err
	}
	if ag.PersonID == who.Subject {
		e := badRequest("person", "you cannot remove yourself; ask another unit administrator")
		e.Reason = "self_remove"
		return e
	}
	if err := s.a.o.Accounts.RemoveAgent(ctx, ag.PersonID, ag.UnitID); err != nil {
		return err
	}
	s.record(ctx, who, audit.Event{Action: action, Principal: ag.PersonID, Unit: ag.UnitID, Before: auditAgent(ag)})
	return nil
}

// ResetAgentPassword sets an agent's password. The password is the
// person's, not the unit's: a person who is also an agent of another unit
// is refused, or one unit's administrator could take over the person's
// access to the other unit; the fund's counter resets those.
func (s *UnitSelfService) ResetAgentPassword(ctx context.Context, who UnitActor, personID, password string) error {
	const action = "agents.reset_password"
	ag, err := s.agent(ctx, who, personID, action)
	if err != nil {
		return err
	}
	units, err := s.a.o.Accounts.UnitsOf(ctx, ag.PersonID)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.ID != ag.UnitID {
			s.record(ctx, who, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "agent_of_other_units", Action: action, Principal: ag.PersonID, Unit: ag.UnitID})
			return refused("agent_of_other_units", "this person is also an agent of another unit; the fund's counter resets their password")
		}
	}
	if err := s.a.o.Accounts.SetPassword(ctx, ag.PersonID, password); err != nil {
		return err
	}
	s.record(ctx, who, audit.Event{Action: action, Principal: ag.PersonID, Unit: ag.UnitID})
	return nil
}

// record audits a self-service event of who (unit.change unless typed).
func (s *UnitSelfService) record(ctx context.Context, who UnitActor, e audit.Event) {
	e.Actor, e.ActorUnit, e.Client, e.IP, e.UserAgent = who.ID, who.Unit, who.Client, who.IP, who.UserAgent
	if e.Type == "" {
		e.Type = audit.UnitChange
	}
	if err := s.a.o.Audit.Record(ctx, e); err != nil {
		s.a.log.ErrorContext(ctx, "audit write failed", "type", e.Type, "action", e.Action, "err", err)
	}
}
