package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/gjjid/gjjid/broker/store"
)

// GrantStaffRoles adds roles to the person's.
func (s *Store) GrantStaffRoles(ctx context.Context, personID string, roles ...string) error {
	if err := store.StaffInput("memory: grant staff roles", personID, roles); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.staff == nil {
		s.staff = map[string][]string{}
	}
	held := s.staff[personID]
	for _, r := range roles {
		if !slices.Contains(held, r) {
			held = append(held, r)
		}
	}
	slices.Sort(held)
	s.staff[personID] = held
	return nil
}

// RevokeStaffRoles removes roles; a person left with none is forgotten.
func (s *Store) RevokeStaffRoles(ctx context.Context, personID string, roles ...string) error {
	if err := store.StaffInput("memory: revoke staff roles", personID, roles); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	held := slices.DeleteFunc(slices.Clone(s.staff[personID]), func(r string) bool { return slices.Contains(roles, r) })
	if len(held) == 0 {
		delete(s.staff, personID)
		return nil
	}
	s.staff[personID] = held
	return nil
}

// StaffRoles returns the person's roles, sorted.
func (s *Store) StaffRoles(ctx context.Context, personID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.staff[personID]), nil
}

// ListStaff returns every staff member in person-ID order.
func (s *Store) ListStaff(ctx context.Context) ([]*store.StaffMember, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*store.StaffMember, 0, len(s.staff))
	for id, roles := range s.staff {
		out = append(out, &store.StaffMember{PersonID: id, Roles: slices.Clone(roles)})
	}
	slices.SortFunc(out, func(a, b *store.StaffMember) int { return strings.Compare(a.PersonID, b.PersonID) })
	return out, nil
}
