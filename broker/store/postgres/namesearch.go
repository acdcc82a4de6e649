package postgres

import (
	"context"

	"github.com/gjjid/gjjid/broker/store"
)

// SearchNames finds up to limit units and up to limit persons whose name
// contains q, in ID order: the console's search by name over the whole
// table, in the database (no extension such as pg_trgm is assumed, so a
// contains-search reads the table; bounded by its limit on matches).
func (s *Store) SearchNames(ctx context.Context, q string, limit int) ([]*store.Unit, []*store.Person, error) {
	limit = pageLimit(limit)
	units, err := queryAll(ctx, s, "search unit names", scanUnit,
		`select `+unitColumns+` from units where strpos(name, $1) > 0 order by id limit $2`, q, limit)
	if err != nil {
		return nil, nil, err
	}
	persons, err := queryAll(ctx, s, "search person names", scanPerson,
		`select `+personColumns+` from persons where strpos(name, $1) > 0 order by id limit $2`, q, limit)
	if err != nil {
		return nil, nil, err
	}
	return units, persons, nil
}
