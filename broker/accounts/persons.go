package accounts

import (
	"context"
	"errors"
	"fmt"
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

// CreatePerson validates n and stores a new active person: the ID number
// must pass its document type's rule (ids.Document: GB 11643 for resident
// IDs, the permit and passport formats for the others), the
// mobile must be a mainland one, the password an acceptable agent password.
// The ID number and mobile are kept as lookup hash, masked form and sealed
// value. A person with the same ID number or mobile yields an error
// wrapping store.ErrConflict.
func (s *Service) CreatePerson(ctx context.Context, n NewPerson) (*store.Person, error) {
	return s.createPerson(ctx, n, "")
}

// createPerson is CreatePerson; legacyHash, when set instead of
// n.Password, is the stored form of an imported hash (LegacyHash).
func (s *Service) createPerson(ctx context.Context, n NewPerson, legacyHash string) (*store.Person, error) {
	var errs []error
	name := strings.TrimSpace(n.Name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		errs = append(errs, invalid("name", "must be 1–64 characters"))
	}
	idType := n.IDType
	if idType == "" {
		idType = IDTypeResident
	}
	idNumber, err := ids.Document(idType, n.IDNumber)
	if err != nil {
		field := "id_number"
		if errors.Is(err, ids.ErrUnknownDocType) {
			field = "id_type"
		}
		errs = append(errs, wrapInvalid(field, err))
	}
	var mobile string
	if strings.TrimSpace(n.Mobile) != "" {
		m, err := ids.Mobile(n.Mobile)
		if err != nil {
			errs = append(errs, wrapInvalid("mobile", err))
		}
		mobile = m
	}
	if n.Password != "" {
		if err := ValidateAgentPassword(n.Password, idNumber, mobile); err != nil {
			errs = append(errs, err)
		}
	}
	if legacyHash != "" && (n.Password != "" || !isLegacy(legacyHash)) {
		errs = append(errs, invalid("password_hash", "must be a legacy hash from LegacyHash, and not given with a password"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("accounts: create person: %w", fieldErrors(errs))
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
	if legacyHash != "" {
		p.PasswordHash = legacyHash
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

// ListPersons pages the persons in ID order.
func (s *Service) ListPersons(ctx context.Context, cursor string, limit int) ([]*store.Person, string, error) {
	ps, next, err := s.st.ListPersons(ctx, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("accounts: list persons: %w", err)
	}
	return ps, next, nil
}

// FindByIDNumber finds the person holding a document of the type.
func (s *Service) FindByIDNumber(ctx context.Context, idType, number string) (*store.Person, error) {
	n, err := ids.Document(idType, number)
	if err != nil {
		return nil, fmt.Errorf("accounts: find person: %w", wrapInvalid("id_number", err))
	}
	p, err := s.st.FindPersonByIDHash(ctx, s.IDHash(n))
	if err != nil {
		return nil, fmt.Errorf("accounts: find person by ID number %s: %w", ids.MaskID(n), err)
	}
	if p.IDType != idType {
		return nil, fmt.Errorf("accounts: find person by ID number %s: held as %s: %w", ids.MaskID(n), p.IDType, store.ErrNotFound)
	}
	return p, nil
}

// PersonChange is a partial update of a person; nil fields stay. An empty
// Mobile removes the mobile. The ID number never changes: a new document
// is a new person, as at the fund's counter.
type PersonChange struct {
	Name   *string `json:"name,omitempty"`
	Mobile *string `json:"mobile,omitempty"`
	Status *string `json:"status,omitempty"`
}

// UpdatePerson applies ch and returns the person before and after.
func (s *Service) UpdatePerson(ctx context.Context, id string, ch PersonChange) (before, after *store.Person, err error) {
	before, err = s.GetPerson(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	p := *before
	var errs []error
	if ch.Name != nil {
		p.Name = strings.TrimSpace(*ch.Name)
		if p.Name == "" || utf8.RuneCountInString(p.Name) > 64 {
			errs = append(errs, invalid("name", "must be 1–64 characters"))
		}
	}
	if ch.Mobile != nil {
		if strings.TrimSpace(*ch.Mobile) == "" {
			p.MobileHash, p.MobileMasked, p.MobileSealed = "", "", nil
		} else if m, err := ids.Mobile(*ch.Mobile); err != nil {
			errs = append(errs, wrapInvalid("mobile", err))
		} else {
			p.MobileHash, p.MobileMasked, p.MobileSealed = s.MobileHash(m), ids.MaskMobile(m), s.seal(p.ID, fieldMobile, m)
		}
	}
	if ch.Status != nil {
		if err := checkStatus(*ch.Status); err != nil {
			errs = append(errs, err)
		}
		p.Status = *ch.Status
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("accounts: update person %s: %w", id, fieldErrors(errs))
	}
	if err := s.st.PutPerson(ctx, &p); err != nil {
		return nil, nil, fmt.Errorf("accounts: update person %s: %w", id, err)
	}
	if disabling(before.Status, p.Status) {
		s.ended(ctx, Ended{Subject: id, Reason: EndedPersonDisabled})
	}
	return before, &p, nil
}

// SetPassword validates and sets the person's agent password.
func (s *Service) SetPassword(ctx context.Context, id, password string) error {
	return s.setPassword(ctx, id, password, false)
}

// ResetPassword is SetPassword by the fund's staff: with mustChange the
// person must choose a new password at their next sign-in (SetPassword,
// their own change, clears it). One write: password and flag together.
func (s *Service) ResetPassword(ctx context.Context, id, password string, mustChange bool) error {
	return s.setPassword(ctx, id, password, mustChange)
}

func (s *Service) setPassword(ctx context.Context, id, password string, mustChange bool) error {
	p, err := s.GetPerson(ctx, id)
	if err != nil {
		return err
	}
	var related []string
	if n, err := s.UnsealIDNumber(p); err == nil {
		related = append(related, n)
	}
	if m, err := s.UnsealMobile(p); err == nil {
		related = append(related, m)
	}
	if err := ValidateAgentPassword(password, related...); err != nil {
		return fmt.Errorf("accounts: set password of %s: %w", id, err)
	}
	h, err := s.HashPassword(password)
	if err != nil {
		return fmt.Errorf("accounts: set password of %s: %w", id, err)
	}
	p.PasswordHash, p.MustChangePassword = h, mustChange
	if err := s.st.PutPerson(ctx, p); err != nil {
		return fmt.Errorf("accounts: set password of %s: %w", id, err)
	}
	s.ended(ctx, Ended{Subject: id, Reason: EndedPasswordReset})
	return nil
}
