package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/gjjid/gjjid/broker/store"
)

// PutUnit creates or replaces the unit.
func (s *Store) PutUnit(ctx context.Context, u *store.Unit) error {
	const op = "put unit"
	b, err := encodeRecord(op, u, "ID", u.ID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.units[u.ID] = b
	if u.OrgCode != "" {
		s.unitsByOrg[u.OrgCode] = u.ID
	}
	return nil
}

// GetUnit returns a copy of the unit.
func (s *Store) GetUnit(ctx context.Context, id string) (*store.Unit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.units[id]
	if !ok {
		return nil, notFound("get unit", id)
	}
	return decode[store.Unit]("get unit", b)
}

// PutPerson creates or replaces the person with its ID-hash and mobile-hash
// indexes. Nothing is written when either hash belongs to another person.
func (s *Store) PutPerson(ctx context.Context, p *store.Person) error {
	const op = "put person"
	b, err := encodeRecord(op, p, "ID", p.ID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if owner, ok := s.byIDHash[p.IDHash]; ok && p.IDHash != "" && owner != p.ID {
		return fmt.Errorf("memory: %s %q: ID hash belongs to another person: %w", op, p.ID, store.ErrConflict)
	}
	if owner, ok := s.byMobile[p.MobileHash]; ok && p.MobileHash != "" && owner != p.ID {
		return fmt.Errorf("memory: %s %q: mobile hash belongs to another person: %w", op, p.ID, store.ErrConflict)
	}
	if old, ok := s.persons[p.ID]; ok {
		o, err := decode[store.Person](op, old)
		if err != nil {
			return err
		}
		if o.IDHash != p.IDHash && s.byIDHash[o.IDHash] == p.ID {
			delete(s.byIDHash, o.IDHash)
		}
		if o.MobileHash != p.MobileHash && s.byMobile[o.MobileHash] == p.ID {
			delete(s.byMobile, o.MobileHash)
		}
	}
	if p.IDHash != "" {
		s.byIDHash[p.IDHash] = p.ID
	}
	if p.MobileHash != "" {
		s.byMobile[p.MobileHash] = p.ID
	}
	s.persons[p.ID] = b
	return nil
}

// GetPerson returns a copy of the person.
func (s *Store) GetPerson(ctx context.Context, id string) (*store.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.person("get person", id)
}

// FindPersonByIDHash looks a person up by the keyed hash of the ID number.
func (s *Store) FindPersonByIDHash(ctx context.Context, idHash string) (*store.Person, error) {
	return s.findPerson("find person by ID hash", s.byIDHash, idHash)
}

// FindPersonByMobileHash looks a person up by the keyed hash of the mobile.
func (s *Store) FindPersonByMobileHash(ctx context.Context, mobileHash string) (*store.Person, error) {
	return s.findPerson("find person by mobile hash", s.byMobile, mobileHash)
}

// findPerson looks a person up in one of the hash indexes (made once in
// New, read under s.mu); the empty hash finds nobody.
func (s *Store) findPerson(op string, index map[string]string, hash string) (*store.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := index[hash]
	if !ok || hash == "" {
		return nil, notFound(op, hash)
	}
	return s.person(op, id)
}

// person decodes a stored person. s.mu must be held.
func (s *Store) person(op, id string) (*store.Person, error) {
	b, ok := s.persons[id]
	if !ok {
		return nil, notFound(op, id)
	}
	return decode[store.Person](op, b)
}

// PutAgent creates or replaces the agent record for (person, unit).
func (s *Store) PutAgent(ctx context.Context, a *store.Agent) error {
	const op = "put agent"
	if err := required(op, "person ID", a.PersonID, "unit ID", a.UnitID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putAgent(op, a)
}

// putAgent writes the record. s.mu must be held.
func (s *Store) putAgent(op string, a *store.Agent) error {
	b, err := encode(op, a)
	if err != nil {
		return err
	}
	if s.agents[a.PersonID] == nil {
		s.agents[a.PersonID] = map[string][]byte{}
	}
	s.agents[a.PersonID][a.UnitID] = b
	return nil
}

// AgentsOfPerson returns the person's agent records ordered by unit ID; none
// is an empty result, not ErrNotFound.
func (s *Store) AgentsOfPerson(ctx context.Context, personID string) ([]*store.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byUnit := s.agents[personID]
	units := slices.Sorted(maps.Keys(byUnit))
	out := make([]*store.Agent, 0, len(units))
	for _, u := range units {
		a, err := decode[store.Agent]("agents of person", byUnit[u])
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AddUnit creates the unit unless its ID exists.
func (s *Store) AddUnit(ctx context.Context, u *store.Unit) error {
	const op = "add unit"
	b, err := encodeRecord(op, u, "ID", u.ID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.units[u.ID]; ok {
		return fmt.Errorf("memory: %s %q: %w", op, u.ID, store.ErrConflict)
	}
	s.units[u.ID] = b
	if u.OrgCode != "" {
		s.unitsByOrg[u.OrgCode] = u.ID
	}
	return nil
}

// FindUnitByOrgCode returns the unit whose OrgCode is org.
func (s *Store) FindUnitByOrgCode(ctx context.Context, org string) (*store.Unit, error) {
	const op = "find unit by org code"
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.unitsByOrg[org]
	if !ok || org == "" {
		return nil, notFound(op, org)
	}
	b, ok := s.units[id]
	if !ok {
		return nil, notFound(op, org)
	}
	return decode[store.Unit](op, b)
}

// ListUnits pages the units in ID order.
func (s *Store) ListUnits(ctx context.Context, cursor string, limit int) ([]*store.Unit, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return decodePage[store.Unit]("list units", s.units, cursor, limit)
}

// ListPersons pages the persons in ID order.
func (s *Store) ListPersons(ctx context.Context, cursor string, limit int) ([]*store.Person, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return decodePage[store.Person]("list persons", s.persons, cursor, limit)
}

// decodePage decodes one page of m. s.mu must be held.
func decodePage[T any](op string, m map[string][]byte, cursor string, limit int) ([]*T, string, error) {
	keys, next := page(m, cursor, limit)
	out := make([]*T, 0, len(keys))
	for _, k := range keys {
		v, err := decode[T](op, m[k])
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	return out, next, nil
}

// AddAgent creates the record unless (person, unit) has one.
func (s *Store) AddAgent(ctx context.Context, a *store.Agent) error {
	const op = "add agent"
	if err := required(op, "person ID", a.PersonID, "unit ID", a.UnitID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.agents[a.PersonID][a.UnitID]; ok {
		return fmt.Errorf("memory: %s %q for unit %q: %w", op, a.PersonID, a.UnitID, store.ErrConflict)
	}
	return s.putAgent(op, a)
}

// AgentsOfUnit pages the unit's agent records in person-ID order.
func (s *Store) AgentsOfUnit(ctx context.Context, unitID, cursor string, limit int) ([]*store.Agent, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byPerson := map[string][]byte{}
	for person, byUnit := range s.agents {
		if b, ok := byUnit[unitID]; ok {
			byPerson[person] = b
		}
	}
	return decodePage[store.Agent]("agents of unit", byPerson, cursor, limit)
}

// DeleteAgent removes the record for (person, unit).
func (s *Store) DeleteAgent(ctx context.Context, personID, unitID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.agents[personID][unitID]; !ok {
		return notFound("delete agent", personID+"/"+unitID)
	}
	delete(s.agents[personID], unitID)
	if len(s.agents[personID]) == 0 {
		delete(s.agents, personID)
	}
	return nil
}
