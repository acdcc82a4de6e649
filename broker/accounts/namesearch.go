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
	complete = true
	scan := func(list func(cursor string) (names []string, next string, err error), add func(i int)) error {
		cursor, seen, found := "", 0, 0
		for {
			if seen >= MaxNameScan {
				complete = false
				return nil
			}
			names, next, err := list(cursor)
			if err != nil {
				return err
			}
			for i, n := range names {
				if strings.Contains(n, q) && found < limit {
					add(i)
					found++
				}
			}
			seen += len(names)
			if cursor = next; next == "" {
				return nil
			}
		}
	}
	var page []*store.Unit
	err = scan(func(cursor string) ([]string, string, error) {
		us, next, err := s.ListUnits(ctx, cursor, 500)
		page = us
		names := make([]string, len(us))
		for i, u := range us {
			names[i] = u.Name
		}
		return names, next, err
	}, func(i int) { units = append(units, page[i]) })
	if err != nil {
		return nil, nil, false, err
	}
	var ppage []*store.Person
	err = scan(func(cursor string) ([]string, string, error) {
		ps, next, err := s.ListPersons(ctx, cursor, 500)
		ppage = ps
		names := make([]string, len(ps))
		for i, p := range ps {
			names[i] = p.Name
		}
		return names, next, err
	}, func(i int) { persons = append(persons, ppage[i]) })
	if err != nil {
		return nil, nil, false, err
	}
	return units, persons, complete, nil
}
