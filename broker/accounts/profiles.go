package accounts

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
)

// profileTTL bounds how stale a name, unit name or role in a token may be.
// Every token request needs the profile, and it costs three store round
// trips; a renamed unit or changed role shows within this time.
const profileTTL = 5 * time.Second

// Profile is what tokens say about subject acting for unitID. Subjects that
// are not persons (client_credentials) have no profile.
func (ps *Principals) Profile(ctx context.Context, subject, unitID string) (provider.Profile, error) {
	key := subject + "\x00" + unitID
	if p, ok := ps.profiles.get(key); ok {
		return p, nil
	}
	p, err := ps.loadProfile(ctx, subject, unitID)
	if err == nil {
		ps.profiles.put(key, p)
	}
	return p, err
}

func (ps *Principals) loadProfile(ctx context.Context, subject, unitID string) (provider.Profile, error) {
	if unit, ok := UnitOfSubject(subject); ok {
		u, err := ps.s.GetUnit(ctx, unit)
		if errors.Is(err, store.ErrNotFound) {
			return provider.Profile{}, nil
		}
		if err != nil {
			return provider.Profile{}, err
		}
		// A unit principal is the unit acting as itself, the 法人 (legal
		// person): a provincial legal-person login or a unit certificate.
		return provider.Profile{Name: u.Name, UnitName: u.Name, Roles: []string{RoleLegalPerson}}, nil
	}
	p, err := ps.s.GetPerson(ctx, subject)
	if errors.Is(err, store.ErrNotFound) {
		return provider.Profile{}, nil
	}
	if err != nil {
		return provider.Profile{}, err
	}
	prof := provider.Profile{Name: p.Name}
	if unitID == "" {
		return prof, nil
	}
	refs, err := ps.s.UnitsOf(ctx, subject)
	if err != nil {
		return provider.Profile{}, err
	}
	for _, r := range refs {
		if r.ID == unitID {
			prof.UnitName, prof.Roles = r.Name, slices.Clone(r.Roles)
		}
	}
	return prof, nil
}

// IDNumber unseals the person's ID number for the gjj:id_number scope.
// It is not cached: it is asked rarely, and plain ID numbers should live
// in memory no longer than one answer.
func (ps *Principals) IDNumber(ctx context.Context, subject string) (string, string, bool, error) {
	p, err := ps.s.GetPerson(ctx, subject)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	n, err := ps.s.UnsealIDNumber(p)
	if err != nil {
		return "", "", false, err
	}
	return p.IDType, n, true, nil
}
