package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// putPerson writes a person and its unique indexes if nobody changed the
// person since the caller read it (compare-and-set on the stored JSON) and no
// index it claims belongs to someone else. All checks run before any write,
// so a conflict writes nothing.
//
//	KEYS[1]          the person
//	KEYS[2..1+n]     index keys to claim (n = ARGV[4])
//	KEYS[2+n..]      former index keys to release if still ours
//	ARGV             expected JSON ('' = absent), new JSON, person ID, n
var putPerson = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 'changed' end
local n = tonumber(ARGV[4])
for i = 2, 1 + n do
  local owner = redis.call('GET', KEYS[i])
  if owner and owner ~= ARGV[3] then return 'conflict' end
end
for i = 2 + n, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[3] then redis.call('DEL', KEYS[i]) end
end
for i = 2, 1 + n do redis.call('SET', KEYS[i], ARGV[3]) end
redis.call('SET', KEYS[1], ARGV[2])
return 'ok'
`)

// putPersonAttempts bounds the compare-and-set retries of PutPerson when the
// same person is written concurrently.
const putPersonAttempts = 8

// PutUnit creates or replaces the unit.
func (s *Store) PutUnit(ctx context.Context, u *store.Unit) error {
	const op = "put unit"
	if err := required(op, "ID", u.ID); err != nil {
		return err
	}
	b, err := encode(op, u)
	if err != nil {
		return err
	}
	return wrap(op, s.c.Set(ctx, s.k.unit(u.ID), b, 0).Err())
}

// GetUnit returns the unit.
func (s *Store) GetUnit(ctx context.Context, id string) (*store.Unit, error) {
	const op = "get unit"
	raw, err := s.c.Get(ctx, s.k.unit(id)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	return decode[store.Unit](op, raw)
}

// PutPerson creates or replaces the person with its ID-hash and mobile-hash
// indexes in one script. Nothing is written when either hash belongs to
// another person.
func (s *Store) PutPerson(ctx context.Context, p *store.Person) error {
	const op = "put person"
	if err := required(op, "ID", p.ID); err != nil {
		return err
	}
	b, err := encode(op, p)
	if err != nil {
		return err
	}
	var claim []string
	if p.IDHash != "" {
		claim = append(claim, s.k.personByID(p.IDHash))
	}
	if p.MobileHash != "" {
		claim = append(claim, s.k.personByMobile(p.MobileHash))
	}
	for range putPersonAttempts {
		old, err := s.c.Get(ctx, s.k.person(p.ID)).Result()
		if err != nil && !errors.Is(err, goredis.Nil) {
			return wrap(op, err)
		}
		var release []string
		if old != "" {
			o, err := decode[store.Person](op, old)
			if err != nil {
				return err
			}
			if o.IDHash != "" && o.IDHash != p.IDHash {
				release = append(release, s.k.personByID(o.IDHash))
			}
			if o.MobileHash != "" && o.MobileHash != p.MobileHash {
				release = append(release, s.k.personByMobile(o.MobileHash))
			}
		}
		ks := slices.Concat([]string{s.k.person(p.ID)}, claim, release)
		res, err := putPerson.Run(ctx, s.c, ks, old, b, p.ID, strconv.Itoa(len(claim))).Text()
		switch {
		case err != nil:
			return wrap(op, err)
		case res == "ok":
			return nil
		case res == "conflict":
			return fmt.Errorf("redis: %s %q: ID or mobile hash belongs to another person: %w", op, p.ID, store.ErrConflict)
		case res != "changed":
			return fmt.Errorf("redis: %s %q: unexpected reply %q", op, p.ID, res)
		}
	}
	return fmt.Errorf("redis: %s %q: written concurrently %d times in a row: %w", op, p.ID, putPersonAttempts, store.ErrConflict)
}

// GetPerson returns the person.
func (s *Store) GetPerson(ctx context.Context, id string) (*store.Person, error) {
	const op = "get person"
	raw, err := s.c.Get(ctx, s.k.person(id)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	return decode[store.Person](op, raw)
}

// FindPersonByIDHash looks a person up by the keyed hash of the ID number.
func (s *Store) FindPersonByIDHash(ctx context.Context, idHash string) (*store.Person, error) {
	return s.findPerson(ctx, "find person by ID hash", s.k.personByID(idHash), idHash,
		func(p *store.Person) string { return p.IDHash })
}

// FindPersonByMobileHash looks a person up by the keyed hash of the mobile.
func (s *Store) FindPersonByMobileHash(ctx context.Context, mobileHash string) (*store.Person, error) {
	return s.findPerson(ctx, "find person by mobile hash", s.k.personByMobile(mobileHash), mobileHash,
		func(p *store.Person) string { return p.MobileHash })
}

// findPerson follows an index to the person and checks that the person still
// carries the hash: a PutPerson between the two reads may have moved it.
func (s *Store) findPerson(ctx context.Context, op, indexKey, hash string, field func(*store.Person) string) (*store.Person, error) {
	if hash == "" {
		return nil, fmt.Errorf("redis: %s: empty hash: %w", op, store.ErrNotFound)
	}
	id, err := s.c.Get(ctx, indexKey).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	p, err := s.GetPerson(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("redis: %s: %w", op, err)
	}
	if field(p) != hash {
		return nil, fmt.Errorf("redis: %s: index moved: %w", op, store.ErrNotFound)
	}
	return p, nil
}

// PutAgent creates or replaces the agent record for (person, unit).
func (s *Store) PutAgent(ctx context.Context, a *store.Agent) error {
	const op = "put agent"
	if err := required(op, "person ID", a.PersonID, "unit ID", a.UnitID); err != nil {
		return err
	}
	b, err := encode(op, a)
	if err != nil {
		return err
	}
	return wrap(op, s.c.HSet(ctx, s.k.agents(a.PersonID), a.UnitID, b).Err())
}

// AgentsOfPerson returns the person's agent records ordered by unit ID; none
// is an empty result, not ErrNotFound.
func (s *Store) AgentsOfPerson(ctx context.Context, personID string) ([]*store.Agent, error) {
	const op = "agents of person"
	byUnit, err := s.c.HGetAll(ctx, s.k.agents(personID)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	units := make([]string, 0, len(byUnit))
	for u := range byUnit {
		units = append(units, u)
	}
	slices.Sort(units)
	out := make([]*store.Agent, 0, len(units))
	for _, u := range units {
		a, err := decode[store.Agent](op, byUnit[u])
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
