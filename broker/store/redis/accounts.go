package redisstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
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
//	KEYS[2]          the person-ID index (sorted set)
//	KEYS[3..2+n]     index keys to claim (n = ARGV[4])
//	KEYS[3+n..]      former index keys to release if still ours
//	ARGV             expected JSON ('' = absent), new JSON, person ID, n
var putPerson = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 'changed' end
local n = tonumber(ARGV[4])
for i = 3, 2 + n do
  local owner = redis.call('GET', KEYS[i])
  if owner and owner ~= ARGV[3] then return 'conflict' end
end
for i = 3 + n, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[3] then redis.call('DEL', KEYS[i]) end
end
for i = 3, 2 + n do redis.call('SET', KEYS[i], ARGV[3]) end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[3])
return 'ok'
`)

// putPersonAttempts bounds the compare-and-set retries of PutPerson when the
// same person is written concurrently.
const putPersonAttempts = 8

// PutUnit creates or replaces the unit.
func (s *Store) PutUnit(ctx context.Context, u *store.Unit) error {
	const op = "put unit"
	b, err := encodeRecord(op, u, "ID", u.ID)
	if err != nil {
		return err
	}
	_, err = s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, s.k.unit(u.ID), b, 0)
		p.ZAdd(ctx, s.k.unitIDs(), goredis.Z{Member: u.ID})
		if u.OrgCode != "" {
			p.Set(ctx, s.k.unitByOrg(u.OrgCode), u.ID, 0)
		}
		return nil
	})
	return wrap(op, err)
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
	b, err := encodeRecord(op, p, "ID", p.ID)
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
		ks := slices.Concat([]string{s.k.person(p.ID), s.k.personIDs()}, claim, release)
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
	b, err := encodeRecord(op, a, "person ID", a.PersonID, "unit ID", a.UnitID)
	if err != nil {
		return err
	}
	_, err = s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.HSet(ctx, s.k.agents(a.PersonID), a.UnitID, b)
		p.ZAdd(ctx, s.k.unitAgents(a.UnitID), goredis.Z{Member: a.PersonID})
		return nil
	})
	return wrap(op, err)
}

// AgentsOfPerson returns the person's agent records ordered by unit ID; none
// is an empty result, not ErrNotFound.
func (s *Store) AgentsOfPerson(ctx context.Context, personID string) ([]*store.Agent, error) {
	const op = "agents of person"
	byUnit, err := s.c.HGetAll(ctx, s.k.agents(personID)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	units := slices.Sorted(maps.Keys(byUnit))
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

// addUnit creates a unit and indexes it unless the ID exists.
//
//	KEYS   the unit, the unit-ID index, the org-code index (may be unused)
//	ARGV   unit JSON, unit ID, org code ('' = none)
var addUnit = goredis.NewScript(`
if redis.call('SETNX', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 0, ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
return 1
`)

// AddUnit creates the unit; ErrConflict when its ID exists.
func (s *Store) AddUnit(ctx context.Context, u *store.Unit) error {
	const op = "add unit"
	b, err := encodeRecord(op, u, "ID", u.ID)
	if err != nil {
		return err
	}
	n, err := addUnit.Run(ctx, s.c, []string{s.k.unit(u.ID), s.k.unitIDs(), s.k.unitByOrg(u.OrgCode)}, b, u.ID, u.OrgCode).Int()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: %s %q: %w", op, u.ID, store.ErrConflict)
	}
	return nil
}

// FindUnitByOrgCode follows the org-code index to the unit.
func (s *Store) FindUnitByOrgCode(ctx context.Context, org string) (*store.Unit, error) {
	const op = "find unit by org code"
	if org == "" {
		return nil, fmt.Errorf("redis: %s: empty code: %w", op, store.ErrNotFound)
	}
	id, err := s.c.Get(ctx, s.k.unitByOrg(org)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	u, err := s.GetUnit(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("redis: %s: %w", op, err)
	}
	return u, nil
}

// ListUnits pages the units in ID order.
func (s *Store) ListUnits(ctx context.Context, cursor string, limit int) ([]*store.Unit, string, error) {
	return getPage[store.Unit](ctx, s, "list units", s.k.unitIDs(), cursor, limit, s.k.unit)
}

// ListPersons pages the persons in ID order.
func (s *Store) ListPersons(ctx context.Context, cursor string, limit int) ([]*store.Person, string, error) {
	return getPage[store.Person](ctx, s, "list persons", s.k.personIDs(), cursor, limit, s.k.person)
}

// addAgent creates an agent record and indexes it unless one exists.
//
//	KEYS   the person's agent hash, the unit's agent index
//	ARGV   unit ID, record JSON, person ID
var addAgent = goredis.NewScript(`
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 0, ARGV[3])
return 1
`)

// AddAgent creates the record; ErrConflict when (person, unit) has one.
func (s *Store) AddAgent(ctx context.Context, a *store.Agent) error {
	const op = "add agent"
	b, err := encodeRecord(op, a, "person ID", a.PersonID, "unit ID", a.UnitID)
	if err != nil {
		return err
	}
	n, err := addAgent.Run(ctx, s.c, []string{s.k.agents(a.PersonID), s.k.unitAgents(a.UnitID)}, a.UnitID, b, a.PersonID).Int()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: %s %q for unit %q: %w", op, a.PersonID, a.UnitID, store.ErrConflict)
	}
	return nil
}

// AgentsOfUnit pages the unit's records in person-ID order.
func (s *Store) AgentsOfUnit(ctx context.Context, unitID, cursor string, limit int) ([]*store.Agent, string, error) {
	const op = "agents of unit"
	persons, next, err := s.lexPage(ctx, op, s.k.unitAgents(unitID), cursor, limit)
	if err != nil || len(persons) == 0 {
		return []*store.Agent{}, "", err
	}
	cmds := make([]*goredis.StringCmd, len(persons))
	_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, pid := range persons {
			cmds[i] = p.HGet(ctx, s.k.agents(pid), unitID)
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, "", wrap(op, err)
	}
	out := make([]*store.Agent, 0, len(persons))
	for _, c := range cmds {
		raw, err := c.Result()
		if errors.Is(err, goredis.Nil) {
			continue // deleted between the two reads
		}
		if err != nil {
			return nil, "", wrap(op, err)
		}
		a, err := decode[store.Agent](op, raw)
		if err != nil {
			return nil, "", err
		}
		out = append(out, a)
	}
	return out, next, nil
}

// deleteAgent removes a record and its index entry.
var deleteAgent = goredis.NewScript(`
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
`)

// DeleteAgent removes the record; ErrNotFound when there is none.
func (s *Store) DeleteAgent(ctx context.Context, personID, unitID string) error {
	const op = "delete agent"
	n, err := deleteAgent.Run(ctx, s.c, []string{s.k.agents(personID), s.k.unitAgents(unitID)}, unitID, personID).Int()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: %s %q for unit %q: %w", op, personID, unitID, store.ErrNotFound)
	}
	return nil
}
