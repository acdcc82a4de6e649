package accounts

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/ids"
)

// NewPerson is what CreatePerson needs. Mobile and Password are optional: a
// person without a password cannot use the password connector.
type NewPerson struct {
	Name     string
	IDType   string // default IDTypeResident
	IDNumber string
	Mobile   string
	Password string // six digits, see ValidateAgentPassword
}

var idTypeShape = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// CreatePerson validates n and stores a new active person: a resident ID
// number must pass GB 11643 (other ID types only need to be non-empty), the
// mobile must be a mainland one, the password an acceptable agent password.
// The ID number and mobile are kept as lookup hash, masked form and sealed
// value. A person with the same ID number or mobile yields an error
// wrapping store.ErrConflict.
func (s *Service) CreatePerson(ctx context.Context, n NewPerson) (*store.Person, error) {
	var errs []error
	name := strings.TrimSpace(n.Name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		errs = append(errs, errors.New("name: must be 1–64 characters"))
	}
	idType := n.IDType
	if idType == "" {
		idType = IDTypeResident
	}
	var idNumber string
	switch {
	case idType == IDTypeResident:
		id, err := ids.ResidentID(n.IDNumber)
		if err != nil {
			errs = append(errs, fmt.Errorf("id_number: %w", err))
		}
		idNumber = id
	case !idTypeShape.MatchString(idType):
		errs = append(errs, fmt.Errorf("id_type: must be lower-case letters, digits and _ (e.g. %s)", IDTypeResident))
	default:
		idNumber = canonicalIDNumber(n.IDNumber)
		if idNumber == "" || len(idNumber) > 64 {
			errs = append(errs, errors.New("id_number: must be 1–64 characters"))
		}
	}
	var mobile string
	if strings.TrimSpace(n.Mobile) != "" {
		m, err := ids.Mobile(n.Mobile)
		if err != nil {
			errs = append(errs, fmt.Errorf("mobile: %w", err))
		}
		mobile = m
	}
	if n.Password != "" {
		if err := ValidateAgentPassword(n.Password, idNumber, mobile); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("accounts: create person: %w: %w", ErrInvalid, fieldErrors(errs))
	}

	p := &store.Person{
		ID:        newPersonID(),
		Name:      name,
		IDType:    idType,
		IDHash:    s.IDHash(idNumber),
		IDMasked:  ids.MaskID(idNumber),
		Status:    StatusActive,
		CreatedAt: s.now().UTC(),
	}
	if err := s.ensureFree(ctx, s.st.FindPersonByIDHash, p.IDHash, "ID number"); err != nil {
		return nil, err
	}
	p.IDSealed = s.seal(p.ID, fieldIDNumber, idNumber)
	if mobile != "" {
		p.MobileHash = s.MobileHash(mobile)
		if err := s.ensureFree(ctx, s.st.FindPersonByMobileHash, p.MobileHash, "mobile"); err != nil {
			return nil, err
		}
		p.MobileMasked = ids.MaskMobile(mobile)
		p.MobileSealed = s.seal(p.ID, fieldMobile, mobile)
	}
	if n.Password != "" {
		h, err := s.HashPassword(n.Password)
		if err != nil {
			return nil, fmt.Errorf("accounts: create person: %w", err)
		}
		p.PasswordHash = h
	}
	// The store enforces uniqueness again, atomically; the checks above
	// only give the common case a clear message.
	if err := s.st.PutPerson(ctx, p); err != nil {
		return nil, fmt.Errorf("accounts: create person %s: %w", p.ID, err)
	}
	return p, nil
}

func (s *Service) ensureFree(ctx context.Context, find func(context.Context, string) (*store.Person, error), hash, what string) error {
	other, err := find(ctx, hash)
	switch {
	case err == nil:
		return fmt.Errorf("accounts: create person: person %s already has this %s: %w", other.ID, what, store.ErrConflict)
	case errors.Is(err, store.ErrNotFound):
		return nil
	default:
		return fmt.Errorf("accounts: create person: look up %s: %w", what, err)
	}
}

// FindByLogin finds the person a login names. A login shaped like a mobile
// (11 digits, optional +86) is looked up as a mobile; anything else must be
// a valid resident ID number. Errors wrap ErrInvalid for a malformed login
// and store.ErrNotFound when nobody has it.
func (s *Service) FindByLogin(ctx context.Context, login string) (*store.Person, error) {
	if m, err := ids.Mobile(login); err == nil {
		p, err := s.st.FindPersonByMobileHash(ctx, s.MobileHash(m))
		if err != nil {
			return nil, fmt.Errorf("accounts: find person by mobile %s: %w", ids.MaskMobile(m), err)
		}
		return p, nil
	}
	id, err := ids.ResidentID(login)
	if err != nil {
		return nil, fmt.Errorf("accounts: find person: %w: login is neither a mobile nor a resident ID number: %w", ErrInvalid, err)
	}
	p, err := s.st.FindPersonByIDHash(ctx, s.IDHash(id))
	if err != nil {
		return nil, fmt.Errorf("accounts: find person by ID number %s: %w", ids.MaskID(id), err)
	}
	return p, nil
}

// GetPerson returns the person with the broker ID id.
func (s *Service) GetPerson(ctx context.Context, id string) (*store.Person, error) {
	p, err := s.st.GetPerson(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("accounts: get person %s: %w", id, err)
	}
	return p, nil
}
