package storetest

import (
	"fmt"
	"testing"

	"github.com/gjjid/gjjid/broker/store"
)

var accountTests = []test{
	{"Units", testUnits},
	{"PersonLookups", testPersonLookups},
	{"IDHashTakenWritesNothing", testPersonIDHashTaken},
	{"MobileHashTakenWritesNothing", testPersonMobileHashTaken},
	{"ChangedHashesFreeOldIndexes", testPersonChangedHashes},
	{"ConcurrentClaimsOneWins", testPersonConcurrentClaims},
	{"AgentsOfPerson", testAgents},
	{"ListPersonsPages", testListPersons},
}

func newUnit() *store.Unit {
	return &store.Unit{
		ID:         newID("9111"),
		CustomerNo: "110100012345",
		Name:       "某某科技有限公司",
		Status:     "active",
		CreatedAt:  now(),
	}
}

func newPerson() *store.Person {
	return &store.Person{
		ID:           newID("p"),
		Name:         "张三",
		IDType:       "resident_id",
		IDHash:       newID("idhash"),
		IDMasked:     "1101**********1234",
		IDSealed:     []byte{1, 2, 3, 4},
		MobileHash:   newID("mobilehash"),
		MobileMasked: "138****0000",
		MobileSealed: []byte{5, 6, 7},
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		Status:       "active",
		CreatedAt:    now(),
	}
}

// findPersons checks both lookups: hash → want, or ErrNotFound when want is
// nil.
func findPersons(t *testing.T, s store.Store, idHash, mobileHash string, want *store.Person) {
	t.Helper()
	ctx := t.Context()
	for _, f := range []struct {
		name string
		hash string
		find func(string) (*store.Person, error)
	}{
		{"by ID hash", idHash, func(h string) (*store.Person, error) { return s.FindPersonByIDHash(ctx, h) }},
		{"by mobile hash", mobileHash, func(h string) (*store.Person, error) { return s.FindPersonByMobileHash(ctx, h) }},
	} {
		if f.hash == "" {
			continue
		}
		got, err := f.find(f.hash)
		if want == nil {
			wantErr(t, "find "+f.name, err, store.ErrNotFound)
			continue
		}
		must(t, "find "+f.name, err)
		sameJSON(t, "find "+f.name, got, want)
	}
}

func testUnits(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUnit()
	must(t, "put", s.PutUnit(ctx, u))
	got, err := s.GetUnit(ctx, u.ID)
	must(t, "get", err)
	sameJSON(t, "get", got, u)
	u.Status = "disabled"
	must(t, "replace", s.PutUnit(ctx, u))
	got, err = s.GetUnit(ctx, u.ID)
	must(t, "get replaced", err)
	sameJSON(t, "replaced", got, u)
	_, err = s.GetUnit(ctx, newID("9111"))
	wantErr(t, "get unknown", err, store.ErrNotFound)
}

func testPersonLookups(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPerson()
	must(t, "put", s.PutPerson(ctx, p))
	got, err := s.GetPerson(ctx, p.ID)
	must(t, "get", err)
	sameJSON(t, "get", got, p)
	findPersons(t, s, p.IDHash, p.MobileHash, p)
	must(t, "put unchanged", s.PutPerson(ctx, p))
	findPersons(t, s, p.IDHash, p.MobileHash, p)
	// A staff reset that the person must replace is kept too.
	p.MustChangePassword = true
	must(t, "put must-change", s.PutPerson(ctx, p))
	got, err = s.GetPerson(ctx, p.ID)
	must(t, "get must-change", err)
	sameJSON(t, "get must-change", got, p)
	p.MustChangePassword = false
	must(t, "put changed", s.PutPerson(ctx, p))

	_, err = s.GetPerson(ctx, newID("p"))
	wantErr(t, "get unknown", err, store.ErrNotFound)
	findPersons(t, s, newID("idhash"), newID("mobilehash"), nil)
	_, err = s.FindPersonByIDHash(ctx, "")
	wantErr(t, "find by empty ID hash", err, store.ErrNotFound)
	_, err = s.FindPersonByMobileHash(ctx, "")
	wantErr(t, "find by empty mobile hash", err, store.ErrNotFound)

	// A person without a mobile is fine and indexes nothing for it.
	q := newPerson()
	q.MobileHash, q.MobileMasked, q.MobileSealed = "", "", nil
	must(t, "put without mobile", s.PutPerson(ctx, q))
	findPersons(t, s, q.IDHash, "", q)
}

// A second person with a taken ID hash is refused and nothing of it stays:
// not the record, not its other index.
func testPersonIDHashTaken(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPerson()
	must(t, "put", s.PutPerson(ctx, p))
	q := newPerson()
	q.IDHash = p.IDHash
	wantErr(t, "put second person with the same ID hash", s.PutPerson(ctx, q), store.ErrConflict)
	_, err := s.GetPerson(ctx, q.ID)
	wantErr(t, "get refused person", err, store.ErrNotFound)
	findPersons(t, s, "", q.MobileHash, nil)
	findPersons(t, s, p.IDHash, p.MobileHash, p)
}

func testPersonMobileHashTaken(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPerson()
	must(t, "put", s.PutPerson(ctx, p))
	q := newPerson()
	q.MobileHash = p.MobileHash
	wantErr(t, "put second person with the same mobile hash", s.PutPerson(ctx, q), store.ErrConflict)
	_, err := s.GetPerson(ctx, q.ID)
	wantErr(t, "get refused person", err, store.ErrNotFound)
	findPersons(t, s, q.IDHash, "", nil)
	findPersons(t, s, p.IDHash, p.MobileHash, p)

	// An update of an existing person that would take a used hash is
	// refused too and leaves the person as it was.
	r := newPerson()
	must(t, "put third person", s.PutPerson(ctx, r))
	r2 := *r
	r2.IDHash, r2.MobileHash = newID("idhash"), p.MobileHash
	wantErr(t, "update onto a taken mobile hash", s.PutPerson(ctx, &r2), store.ErrConflict)
	findPersons(t, s, r.IDHash, r.MobileHash, r)
	findPersons(t, s, r2.IDHash, "", nil)
}

func testPersonChangedHashes(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPerson()
	must(t, "put", s.PutPerson(ctx, p))
	oldID, oldMobile := p.IDHash, p.MobileHash

	p.MobileHash = newID("mobilehash")
	must(t, "change mobile", s.PutPerson(ctx, p))
	findPersons(t, s, "", oldMobile, nil)
	findPersons(t, s, oldID, p.MobileHash, p)

	p.IDHash = newID("idhash")
	must(t, "change ID hash", s.PutPerson(ctx, p))
	findPersons(t, s, oldID, "", nil)
	findPersons(t, s, p.IDHash, p.MobileHash, p)

	// The freed hashes are free for someone else.
	q := newPerson()
	q.IDHash, q.MobileHash = oldID, oldMobile
	must(t, "put another person with the freed hashes", s.PutPerson(ctx, q))
	findPersons(t, s, oldID, oldMobile, q)

	// Dropping the mobile frees it as well.
	lastMobile := p.MobileHash
	p.MobileHash, p.MobileMasked, p.MobileSealed = "", "", nil
	must(t, "drop mobile", s.PutPerson(ctx, p))
	findPersons(t, s, "", lastMobile, nil)
	findPersons(t, s, p.IDHash, "", p)
}

func testPersonConcurrentClaims(t *testing.T, s store.Store) {
	ctx := t.Context()
	idHash := newID("idhash")
	persons := make([]*store.Person, contenders)
	for i := range persons {
		persons[i] = newPerson()
		persons[i].IDHash = idHash
	}
	errs := concurrently(contenders, func(i int) error { return s.PutPerson(ctx, persons[i]) })
	w := oneWinner(t, "put", errs, store.ErrConflict)
	findPersons(t, s, idHash, "", persons[w])
	for i, p := range persons {
		if i == w {
			continue
		}
		_, err := s.GetPerson(ctx, p.ID)
		wantErr(t, "get a losing person", err, store.ErrNotFound)
		findPersons(t, s, "", p.MobileHash, nil)
	}
}

func testAgents(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newID("p"), newID("p")
	u1, u2 := "91110000000000001A", "91110000000000002B"
	agents := []*store.Agent{
		{PersonID: p, UnitID: u2, Roles: []string{"operator"}, Status: "active", CreatedAt: now()},
		{PersonID: p, UnitID: u1, Roles: []string{"unit_admin", "operator"}, Status: "active", CreatedAt: now()},
		{PersonID: q, UnitID: u1, Roles: []string{"operator"}, Status: "active", CreatedAt: now()},
	}
	for _, a := range agents {
		must(t, "put agent", s.PutAgent(ctx, a))
	}
	got, err := s.AgentsOfPerson(ctx, p)
	must(t, "agents of person", err)
	sameJSON(t, "agents ordered by unit", got, []*store.Agent{agents[1], agents[0]})

	changed := *agents[0]
	changed.Status, changed.Roles = "disabled", nil
	must(t, "replace agent", s.PutAgent(ctx, &changed))
	got, err = s.AgentsOfPerson(ctx, p)
	must(t, "agents after replace", err)
	sameJSON(t, "agents after replace", got, []*store.Agent{agents[1], &changed})

	got, err = s.AgentsOfPerson(ctx, newID("p"))
	must(t, "agents of unknown person", err)
	if len(got) != 0 {
		t.Fatalf("unknown person has %d agent records", len(got))
	}
}

func testListPersons(t *testing.T, s store.Store) {
	ctx := t.Context()
	var want []*store.Person
	for i := range 5 {
		p := newPerson()
		p.ID = fmt.Sprintf("p_%02d", i)
		must(t, "put", s.PutPerson(ctx, p))
		want = append(want, p)
	}
	// Rewriting a person does not list it twice.
	want[2].Name = "李四"
	must(t, "replace", s.PutPerson(ctx, want[2]))
	got := collect(t, "list", func(c string, n int) ([]*store.Person, string, error) { return s.ListPersons(ctx, c, n) })
	sameJSON(t, "persons in ID order", got, want)
}
