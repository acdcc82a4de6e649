package bulkimport

import (
	"context"
	"errors"
	"strings"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/ids"
)

// unit imports a units row.
func unit(ctx context.Context, acc *accounts.Service, row map[string]string) (outcome, error) {
	code, err := ids.CreditCode(row["credit_code"])
	if err != nil {
		return 0, &rowError{"credit_code", err.Error()}
	}
	if _, err := acc.GetUnit(ctx, code); err == nil {
		return existing, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	_, err = acc.CreateUnit(ctx, code, row["customer_no"], row["name"])
	if errors.Is(err, store.ErrConflict) {
		if _, gerr := acc.GetUnit(ctx, code); gerr == nil {
			return existing, nil // created meanwhile
		}
		return 0, &rowError{"credit_code", "its 组织机构代码 belongs to another unit"}
	}
	return created, err
}

// person imports a persons row, or with agent an agents row: the person
// (found by ID number, or created) and the agent record for the unit. The
// Everything that could reject the row is checked before anything is
// written.
func person(ctx context.Context, acc *accounts.Service, row map[string]string, agent bool) (outcome, error) {
	idType := row["id_type"]
	if idType == "" {
		idType = accounts.IDTypeResident
	}
	number, err := ids.Document(idType, row["id_number"])
	if err != nil {
		field := "id_number"
		if errors.Is(err, ids.ErrUnknownDocType) {
			field = "id_type"
		}
		return 0, &rowError{field, err.Error()}
	}
	var unit *store.Unit
	var roles []string
	if agent {
		code, err := ids.CreditCode(row["credit_code"])
		if err != nil {
			return 0, &rowError{"credit_code", err.Error()}
		}
		if unit, err = acc.GetUnit(ctx, code); errors.Is(err, store.ErrNotFound) {
			return 0, &rowError{"credit_code", "no such unit: import it first (gjjid import units)"}
		} else if err != nil {
			return 0, err
		}
		if roles, err = parseRoles(row["roles"]); err != nil {
			return 0, err
		}
	}
	legacy, err := legacyHash(row)
	if err != nil {
		return 0, err
	}
	p, err := acc.FindByIDNumber(ctx, idType, number)
	personExisted := err == nil
	switch {
	case personExisted:
	case !errors.Is(err, store.ErrNotFound):
		return 0, err
	default:
		n := accounts.NewPerson{Name: row["name"], IDType: idType, IDNumber: number, Mobile: row["mobile"], Password: row["password"]}
		if legacy != "" {
			p, err = acc.CreatePersonWithLegacyHash(ctx, n, legacy)
		} else {
			p, err = acc.CreatePerson(ctx, n)
		}
		if errors.Is(err, store.ErrConflict) {
			// The ID number was free above: either another row created the
			// person meanwhile, or the mobile is someone else's.
			if p, err = acc.FindByIDNumber(ctx, idType, number); err != nil {
				return 0, &rowError{"mobile", "belongs to another person"}
			}
			personExisted = true
		} else if err != nil {
			return 0, err
		}
	}
	if !agent {
		if personExisted {
			return existing, nil
		}
		return created, nil
	}
	_, err = acc.AddAgent(ctx, p.ID, unit.ID, roles)
	switch {
	case errors.Is(err, store.ErrConflict):
		return existing, nil
	case err != nil:
		return 0, err
	}
	return created, nil
}

// parseRoles reads "unit_admin;operator" (also "," or "|" separated).
func parseRoles(s string) ([]string, error) {
	var roles []string
	for r := range strings.FieldsFuncSeq(s, func(c rune) bool { return c == ';' || c == ',' || c == '|' || c == ' ' }) {
		if r != accounts.RoleUnitAdmin && r != accounts.RoleOperator {
			return nil, &rowError{"roles", "each role must be " + accounts.RoleUnitAdmin + " or " + accounts.RoleOperator}
		}
		roles = append(roles, r)
	}
	return roles, nil
}

// legacyHash reads the password_hash, password_scheme and password_salt
// columns; "" when the row has no hash.
func legacyHash(row map[string]string) (string, error) {
	h, scheme := row["password_hash"], strings.ToLower(row["password_scheme"])
	switch {
	case h == "" && scheme == "" && row["password_salt"] == "":
		return "", nil
	case row["password"] != "":
		return "", &rowError{"password_hash", "give either password or password_hash, not both"}
	case h == "":
		return "", &rowError{"password_hash", "required with password_scheme or password_salt"}
	}
	return accounts.LegacyHash(scheme, h, row["password_salt"])
}
