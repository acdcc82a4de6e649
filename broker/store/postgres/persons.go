package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gjjid/gjjid/broker/store"
)

const personColumns = `id, name, id_type, id_hash, id_masked, id_sealed, mobile_hash, mobile_masked,
	mobile_sealed, password_hash, status, created_at, must_change_password`

func scanPerson(r pgx.CollectableRow) (*store.Person, error) {
	var p store.Person
	var idHash, mobileHash *string
	if err := r.Scan(&p.ID, &p.Name, &p.IDType, &idHash, &p.IDMasked, &p.IDSealed, &mobileHash, &p.MobileMasked,
		&p.MobileSealed, &p.PasswordHash, &p.Status, &p.CreatedAt, &p.MustChangePassword); err != nil {
		return nil, err
	}
	p.IDHash, p.MobileHash = deref(idHash), deref(mobileHash)
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

// PutPerson creates or replaces the person in one statement. The unique
// constraints on the ID-number and mobile hashes refuse a hash that belongs
// to another person (ErrConflict, nothing written); hashes the person no
// longer carries are released with the row.
func (s *Store) PutPerson(ctx context.Context, p *store.Person) error {
	const op = "put person"
	if err := required(op, "ID", p.ID); err != nil {
		return err
	}
	_, err := s.q(ctx).Exec(ctx, `insert into persons (`+personColumns+`)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		on conflict (id) do update set name = excluded.name, id_type = excluded.id_type, id_hash = excluded.id_hash,
			id_masked = excluded.id_masked, id_sealed = excluded.id_sealed, mobile_hash = excluded.mobile_hash,
			mobile_masked = excluded.mobile_masked, mobile_sealed = excluded.mobile_sealed,
			password_hash = excluded.password_hash, status = excluded.status, created_at = excluded.created_at,
			must_change_password = excluded.must_change_password`,
		p.ID, p.Name, p.IDType, nullable(p.IDHash), p.IDMasked, p.IDSealed, nullable(p.MobileHash), p.MobileMasked,
		p.MobileSealed, p.PasswordHash, p.Status, p.CreatedAt, p.MustChangePassword)
	return wrap(op, err)
}

// GetPerson returns the person.
func (s *Store) GetPerson(ctx context.Context, id string) (*store.Person, error) {
	return queryOne(ctx, s, "get person", scanPerson, `select `+personColumns+` from persons where id = $1`, id)
}

// FindPersonByIDHash looks a person up by the keyed hash of the ID number.
func (s *Store) FindPersonByIDHash(ctx context.Context, idHash string) (*store.Person, error) {
	return queryOne(ctx, s, "find person by ID hash", scanPerson, `select `+personColumns+` from persons where id_hash = $1`, idHash)
}

// FindPersonByMobileHash looks a person up by the keyed hash of the mobile.
func (s *Store) FindPersonByMobileHash(ctx context.Context, mobileHash string) (*store.Person, error) {
	return queryOne(ctx, s, "find person by mobile hash", scanPerson, `select `+personColumns+` from persons where mobile_hash = $1`, mobileHash)
}

// ListPersons pages the persons in ID order.
func (s *Store) ListPersons(ctx context.Context, cursor string, limit int) ([]*store.Person, string, error) {
	limit = pageLimit(limit)
	out, err := queryAll(ctx, s, "list persons", scanPerson,
		`select `+personColumns+` from persons where id > $1 order by id limit $2`, cursor, limit+1)
	if err != nil {
		return nil, "", err
	}
	return trimPage(out, limit, func(p *store.Person) string { return p.ID })
}
