package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// autoLink links an identity that proves its principal by itself: a unit
// identity by its credit code, a person by a verified ID number the
// connector put into Claims ("id_type", "id_number"). A unit or person
// the broker does not know yet is created when the identity names it
// (unit: Claims["unit_name"] or Name; person: Name); a disabled one
// stays refused.
func (ps *Principals) autoLink(ctx context.Context, id connectors.Identity) (login.Principal, error) {
	link := NewLink{Connector: id.ConnectorID, Subject: id.Subject, CreatedBy: "auto", Label: ids.MaskName(id.Name)}
	var p login.Principal
	var err error
	switch {
	case (id.Kind == connectors.KindUnit || id.Kind == connectors.KindLegalPerson) && id.UnitID != "":
		if err = ps.ensureUnit(ctx, id); err != nil {
			return login.Principal{}, fmt.Errorf("auto link at %s: %w", id.ConnectorID, err)
		}
		if p, err = ps.unitPrincipal(ctx, id.UnitID); err != nil {
			return login.Principal{}, err
		}
		link.Kind, link.UnitID = store.LinkUnit, p.UnitID
	case id.Kind == connectors.KindUnit && id.Claims["org_code"] != nil:
		// A certificate from before 2015 names the unit by its 组织机构代码,
		// which is positions 9–17 of the credit code the broker knows.
		org, _ := id.Claims["org_code"].(string)
		u, ferr := ps.s.FindUnitByOrgCode(ctx, org)
		if errors.Is(ferr, store.ErrNotFound) {
			return login.Principal{}, fmt.Errorf("auto link at %s: no unit with this organisation code: %w", id.ConnectorID, login.ErrNoAccount)
		}
		if ferr != nil {
			return login.Principal{}, ferr
		}
		if p, err = ps.unitPrincipal(ctx, u.ID); err != nil {
			return login.Principal{}, err
		}
		link.Kind, link.UnitID = store.LinkUnit, p.UnitID
	case id.Kind == connectors.KindPerson:
		typ, _ := id.Claims["id_type"].(string)
		num, _ := id.Claims["id_number"].(string)
		if num == "" {
			return login.Principal{}, fmt.Errorf("auto link at %s: no verified ID number: %w", id.ConnectorID, login.ErrNoAccount)
		}
		if typ == "" {
			typ = IDTypeResident
		}
		person, ferr := ps.s.FindByIDNumber(ctx, typ, num)
		if errors.Is(ferr, store.ErrNotFound) && id.Name != "" {
			person, ferr = ps.createPerson(ctx, id.Name, typ, num)
		}
		if errors.Is(ferr, store.ErrNotFound) || errors.Is(ferr, ErrInvalid) || (ferr == nil && person.Status != StatusActive) {
			return login.Principal{}, fmt.Errorf("auto link at %s: %w", id.ConnectorID, login.ErrNoAccount)
		}
		if ferr != nil {
			return login.Principal{}, ferr
		}
		p = login.Principal{Subject: person.ID}
		link.Kind, link.PersonID = store.LinkPerson, person.ID
	default:
		return login.Principal{}, fmt.Errorf("auto link at %s: kind %q: %w", id.ConnectorID, id.Kind, login.ErrNoAccount)
	}
	if _, err := ps.s.CreateLink(ctx, link); err != nil && !errors.Is(err, store.ErrConflict) {
		return login.Principal{}, fmt.Errorf("auto link at %s: %w", id.ConnectorID, err)
	}
	return p, nil
}

// ensureUnit creates the unit of a unit identity when the broker does
// not know it yet (a legal person of the provincial platform whose unit
// has not used the hall before).
func (ps *Principals) ensureUnit(ctx context.Context, id connectors.Identity) error {
	_, err := ps.s.GetUnit(ctx, id.UnitID)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	name, _ := id.Claims["unit_name"].(string)
	if name == "" {
		name = id.Name
	}
	if name == "" {
		return nil // unitPrincipal answers ErrNoAccount
	}
	if _, err := ps.s.CreateUnit(ctx, id.UnitID, "", name); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}

// createPerson creates the person a verified ID number names; a
// concurrent login that created it first wins.
func (ps *Principals) createPerson(ctx context.Context, name, idType, number string) (*store.Person, error) {
	p, err := ps.s.CreatePerson(ctx, NewPerson{Name: name, IDType: idType, IDNumber: number})
	if errors.Is(err, store.ErrConflict) {
		return ps.s.FindByIDNumber(ctx, idType, number)
	}
	return p, err
}
