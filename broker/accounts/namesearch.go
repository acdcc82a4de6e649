package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gjjid/gjjid/broker/store"
)

// MaxNameScan bounds a search by name on a store that cannot search
// itself (memory, Redis): units and persons are paged through in ID order,
// at most this many of each. PostgreSQL searches the whole tables.
const MaxNameScan = 5000

// nameSearcher is a store that searches names itself (PostgreSQL, through
// combined.Store); errors.ErrUnsupported means it cannot after all.
type nameSearcher interface {
	SearchNames(ctx context.Context, q string, limit int) ([]*store.Unit, []*store.Person, error)
}

// SearchNames finds units and persons whose name contains q, at most limit
// of each. Complete is false when the store could only be scanned and the
// scan stopped at MaxNameScan records of a kind.
func (s *Service) SearchNames(ctx context.Context, q string, limit int) (units []*store.Unit, persons []*store.Person, complete bool, err error) {
	if q == "" {
		return nil, nil, true, nil
	}
	if ns, ok := s.st.(nameSearcher); ok {
		units, persons, err = ns.SearchNames(ctx, q, limit)
		if !errors.Is(err, errors.ErrUnsupported) {
			if err != nil {
				return nil, nil, false, fmt.Errorf("accounts: search names: %w", err)
			}
			return units, persons, true, nil
		}
	}
	units, unitsDone, err := scanNames(q, limit, func(cursor string) ([]*store.Unit, string, error) {
		return s.ListUnits(ctx, cursor, 500)
	}, func(u *store.Unit) string { return u.Name })
	if err != nil {
		return nil, nil, false, err
	}
	persons, personsDone, err := scanNames(q, limit, func(cursor string) ([]*store.Person, string, error) {
		return s.ListPersons(ctx, cursor, 500)
	}, func(p *store.Person) string { return p.Name })
	if err != nil {
		return nil, nil, false, err
	}
	complete = unitsDone && personsDone
	return units, persons, complete, nil
}

// scanNames pages through list for records whose name contains q, at most
// limit of them; done is false when it stopped at MaxNameScan records.
func scanNames[T any](q string, limit int, list func(cursor string) ([]T, string, error), name func(T) string) (found []T, done bool, err error) {
	cursor, seen := "", 0
	for seen < MaxNameScan {
		page, next, err := list(cursor)
		if err != nil {
			return nil, false, err
		}
		for _, r := range page {
			if len(found) < limit && strings.Contains(name(r), q) {
				found = append(found, r)
			}
		}
		seen += len(page)
		if cursor = next; next == "" {
			return found, true, nil
		}
	}
	return found, false, nil
}
