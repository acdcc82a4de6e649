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
		errs = append(errs, wrapInvalid("id", err))
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 128 {
		errs = append(errs, invalid("name", "must be 1–128 characters"))
	}
	customerNo = strings.TrimSpace(customerNo)
	if len(customerNo) > 64 {
		errs = append(errs, invalid("customer_no", "must be at most 64 characters"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("accounts: create unit: %w", fieldErrors(errs))
	}
	u := &store.Unit{ID: code, CustomerNo: customerNo, Name: name, OrgCode: ids.OrgCodeFromCredit(code), Status: StatusActive, CreatedAt: s.now().UTC()}
	if err := s.st.AddUnit(ctx, u); err != nil {
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

func normalizeRoles(roles []string) ([]string, error) {
	if len(roles) == 0 {
		return []string{RoleOperator}, nil
	}
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		r = strings.TrimSpace(r)
		if r != RoleUnitAdmin && r != RoleOperator {
			return nil, invalid("roles", "each role must be %s or %s", RoleUnitAdmin, RoleOperator)
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

// FindUnitByOrgCode finds the unit whose credit code holds the old
// 9-character 组织机构代码 org (positions 9–17), as certificates issued
// before 2015 name units.
func (s *Service) FindUnitByOrgCode(ctx context.Context, org string) (*store.Unit, error) {
	org = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(org), "-", ""))
	u, err := s.st.FindUnitByOrgCode(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("accounts: find unit by org code %s: %w", org, err)
	}
	return u, nil
}

// ListUnits pages the units in credit-code order.
func (s *Service) ListUnits(ctx context.Context, cursor string, limit int) ([]*store.Unit, string, error) {
	us, next, err := s.st.ListUnits(ctx, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("accounts: list units: %w", err)
	}
	return us, next, nil
}

// UnitChange is a partial update of a unit; nil fields stay.
type UnitChange struct {
	Name       *string `json:"name,omitempty"`
	CustomerNo *string `json:"customer_no,omitempty"`
	Status     *string `json:"status,omitempty"`
}

// UpdateUnit applies ch and returns the unit before and after.
func (s *Service) UpdateUnit(ctx context.Context, id string, ch UnitChange) (before, after *store.Unit, err error) {
	before, err = s.GetUnit(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	u := *before
	var errs []error
	if ch.Name != nil {
		u.Name = strings.TrimSpace(*ch.Name)
		if u.Name == "" || utf8.RuneCountInString(u.Name) > 128 {
			errs = append(errs, invalid("name", "must be 1–128 characters"))
		}
	}
	if ch.CustomerNo != nil {
		u.CustomerNo = strings.TrimSpace(*ch.CustomerNo)
		if len(u.CustomerNo) > 64 {
			errs = append(errs, invalid("customer_no", "must be at most 64 characters"))
		}
	}
	if ch.Status != nil {
		if err := checkStatus(*ch.Status); err != nil {
			errs = append(errs, err)
		}
		u.Status = *ch.Status
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("accounts: update unit %s: %w", before.ID, fieldErrors(errs))
	}
	if err := s.st.PutUnit(ctx, &u); err != nil {
		return nil, nil, fmt.Errorf("accounts: update unit %s: %w", u.ID, err)
	}
	if disabling(before.Status, u.Status) {
		s.unitEnded(ctx, u.ID)
	}
	return before, &u, nil
}

func checkStatus(st string) error {
	if st != StatusActive && st != StatusDisabled {
		return invalid("status", "must be %s or %s", StatusActive, StatusDisabled)
	}
	return nil
}
