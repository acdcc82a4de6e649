package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/ids"
)

// SeedUnit is a unit Seed creates (config `seed.units[]`).
type SeedUnit struct {
	ID         string // 统一社会信用代码
	CustomerNo string
	Name       string
}

// SeedPerson is a person Seed creates and makes agent of Units
// (config `seed.persons[]`).
type SeedPerson struct {
	Name     string
	IDType   string // default resident_id
	IDNumber string
	Mobile   string
	Password string
	Units    []string // credit codes
	Roles    []string // default [operator]
}

// Seed creates demo or bootstrap accounts. It is idempotent and never
// overwrites: an existing unit or person (same credit code, same ID
// number) is left as it is, and an existing agent record is not touched,
// so an administrator's later changes (a new password, a disabled agent)
// survive restarts. Missing agent records of existing persons are added.
// Each error starts with the config path of its entry (seed.units[0]: …,
// seed.persons[1] (510***********1236): …); Seed goes on with the other
// entries and returns them all, one line each.
func (s *Service) Seed(ctx context.Context, units []SeedUnit, persons []SeedPerson) error {
	var errs []error
	for i, u := range units {
		if _, err := s.CreateUnit(ctx, u.ID, u.CustomerNo, u.Name); err != nil && !errors.Is(err, store.ErrConflict) {
			errs = append(errs, fmt.Errorf("seed.units[%d]: %w", i, err))
		}
	}
	for i, sp := range persons {
		if err := s.seedPerson(ctx, sp); err != nil {
			errs = append(errs, fmt.Errorf("seed.persons[%d] (%s): %w", i, ids.MaskID(sp.IDNumber), err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) seedPerson(ctx context.Context, sp SeedPerson) error {
	p, err := s.st.FindPersonByIDHash(ctx, s.IDHash(sp.IDNumber))
	if errors.Is(err, store.ErrNotFound) {
		p, err = s.CreatePerson(ctx, NewPerson{Name: sp.Name, IDType: sp.IDType, IDNumber: sp.IDNumber, Mobile: sp.Mobile, Password: sp.Password})
	}
	if err != nil {
		return err
	}
	var errs []error
	for j, unitID := range sp.Units {
		code, err := ids.CreditCode(unitID)
		if err != nil {
			errs = append(errs, fmt.Errorf("units[%d]: %w: %w", j, ErrInvalid, err))
			continue
		}
		existing, err := s.agent(ctx, p.ID, code)
		if err == nil && existing == nil {
			_, err = s.AddAgent(ctx, p.ID, code, sp.Roles)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("units[%d]: %w", j, err))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fieldErrors(errs)
}
