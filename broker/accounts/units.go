package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/ids"
)

// CreateUnit stores a new active unit. id must be a valid 统一社会信用代码
// (it is normalised); customerNo is the fund's 单位客户号 and may be empty.
// An existing unit yields an error wrapping store.ErrConflict.
func (s *Service) CreateUnit(ctx context.Context, id, customerNo, name string) (*store.Unit, error) {
	var errs []error
	code, err := ids.CreditCode(id)
	if err != nil {
		errs = append(errs, fmt.Errorf("unit id: %w", err))
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 128 {
		errs = append(errs, errors.New("unit name: must be 1–128 characters"))
	}
	customerNo = strings.TrimSpace(customerNo)
	if len(customerNo) > 64 {
		errs = append(errs, errors.New("customer_no: must be at most 64 characters"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("accounts: create unit: %w: %w", ErrInvalid, fieldErrors(errs))
	}
	switch _, err := s.st.GetUnit(ctx, code); {
	case err == nil:
		return nil, fmt.Errorf("accounts: create unit %s: already exists: %w", code, store.ErrConflict)
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("accounts: create unit %s: %w", code, err)
	}
	u := &store.Unit{ID: code, CustomerNo: customerNo, Name: name, Status: StatusActive, CreatedAt: s.now().UTC()}
	if err := s.st.PutUnit(ctx, u); err != nil {
		return nil, fmt.Errorf("accounts: create unit %s: %w", code, err)
	}
	return u, nil
}

// GetUnit returns the unit with the credit code id (normalised when valid).
func (s *Service) GetUnit(ctx context.Context, id string) (*store.Unit, error) {
	if code, err := ids.CreditCode(id); err == nil {
		id = code
	}
	u, err := s.st.GetUnit(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("accounts: get unit %s: %w", id, err)
	}
	return u, nil
}

// AddAgent makes the person an active agent (经办人) of the unit with roles
// (default [operator]; known: unit_admin, operator). For an existing agent
// record it replaces the roles and re-activates it. Person and unit must
// exist.
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
	existing, err := s.agent(ctx, p.ID, u.ID)
	if err != nil {
		return nil, fmt.Errorf("accounts: add agent: %w", err)
	}
	a := &store.Agent{PersonID: p.ID, UnitID: u.ID, Roles: roles, Status: StatusActive, CreatedAt: s.now().UTC()}
	if existing != nil {
		a.CreatedAt = existing.CreatedAt
	}
	if err := s.st.PutAgent(ctx, a); err != nil {
		return nil, fmt.Errorf("accounts: add agent %s for unit %s: %w", p.ID, u.ID, err)
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

func normalizeRoles(roles []string) ([]string, error) {
	if len(roles) == 0 {
		return []string{RoleOperator}, nil
	}
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		r = strings.TrimSpace(r)
		if r != RoleUnitAdmin && r != RoleOperator {
			return nil, fmt.Errorf("%w: role %q: must be %s or %s", ErrInvalid, r, RoleUnitAdmin, RoleOperator)
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// UnitRef is a unit a person may act for, with the person's roles there.
type UnitRef struct {
	ID    string // 统一社会信用代码
	Name  string
	Roles []string
}

// UnitsOf lists the units the person may act for now: its active agent
// records whose unit is active, ordered by credit code (byte order of
// Chinese names means nothing; a page wanting pinyin order can collate).
// Records of units that no longer exist are skipped.
func (s *Service) UnitsOf(ctx context.Context, personID string) ([]UnitRef, error) {
	as, err := s.st.AgentsOfPerson(ctx, personID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("accounts: units of person %s: %w", personID, err)
	}
	var out []UnitRef
	for _, a := range as {
		if a.Status != StatusActive {
			continue
		}
		u, err := s.st.GetUnit(ctx, a.UnitID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case err != nil:
			return nil, fmt.Errorf("accounts: units of person %s: unit %s: %w", personID, a.UnitID, err)
		case u.Status != StatusActive:
			continue
		}
		out = append(out, UnitRef{ID: u.ID, Name: u.Name, Roles: slices.Clone(a.Roles)})
	}
	slices.SortFunc(out, func(a, b UnitRef) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
