package staff

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gjjid/gjjid/broker/store"
)

// ErrUnknownRole: a grant or revocation named something that is not a
// broker role.
var ErrUnknownRole = errors.New("staff: unknown role")

// Persons is what the service needs of the accounts: that a person exists.
type Persons interface {
	GetPerson(ctx context.Context, id string) (*store.Person, error)
}

// Service grants, revokes and answers staff roles.
type Service struct {
	st      store.Staff
	persons Persons
}

// NewService returns the service over the store's staff aggregate.
func NewService(st store.Staff, persons Persons) *Service {
	return &Service{st: st, persons: persons}
}

// Grant adds roles to a person, who must exist.
func (s *Service) Grant(ctx context.Context, personID string, roles []string) ([]string, error) {
	if err := checkRoles(roles); err != nil {
		return nil, err
	}
	if _, err := s.persons.GetPerson(ctx, personID); err != nil {
		return nil, fmt.Errorf("staff: grant to person %s: %w", personID, err)
	}
	if err := s.st.GrantStaffRoles(ctx, personID, roles...); err != nil {
		return nil, fmt.Errorf("staff: grant to person %s: %w", personID, err)
	}
	return s.Roles(ctx, personID)
}

// Revoke removes roles from a person; the roles left are returned.
func (s *Service) Revoke(ctx context.Context, personID string, roles []string) ([]string, error) {
	if err := checkRoles(roles); err != nil {
		return nil, err
	}
	if err := s.st.RevokeStaffRoles(ctx, personID, roles...); err != nil {
		return nil, fmt.Errorf("staff: revoke from person %s: %w", personID, err)
	}
	return s.Roles(ctx, personID)
}

// Roles returns the person's roles now; none for a person who is not staff.
func (s *Service) Roles(ctx context.Context, personID string) ([]string, error) {
	roles, err := s.st.StaffRoles(ctx, personID)
	if err != nil {
		return nil, fmt.Errorf("staff: roles of person %s: %w", personID, err)
	}
	return roles, nil
}

// List returns every staff member.
func (s *Service) List(ctx context.Context) ([]*store.StaffMember, error) {
	m, err := s.st.ListStaff(ctx)
	if err != nil {
		return nil, fmt.Errorf("staff: list: %w", err)
	}
	return m, nil
}

// GrantScopes keeps, of the scopes a token would carry for subject, the
// role scopes the subject holds now and every other scope: a role scope
// reaches a token only for staff holding that role. The provider calls it
// at token issuance.
func (s *Service) GrantScopes(ctx context.Context, subject string, scopes []string) ([]string, error) {
	if !slices.ContainsFunc(scopes, Valid) {
		return scopes, nil
	}
	held, err := s.Roles(ctx, subject)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if !Valid(sc) || slices.Contains(held, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

func checkRoles(roles []string) error {
	if len(roles) == 0 {
		return fmt.Errorf("%w: name at least one of %v", ErrUnknownRole, Roles)
	}
	for _, r := range roles {
		if !Valid(r) {
			return fmt.Errorf("%w %q: one of %v", ErrUnknownRole, r, Roles)
		}
	}
	return nil
}
