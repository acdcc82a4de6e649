package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var copyTests = []test{
	{"NoSharedMemory", testCopies},
}

// copyCase stores a value and reads it back.
type copyCase struct {
	name string
	// write stores in (a pointer) and returns how to read it back.
	write func(t *testing.T, s store.Store, in any) (read func() (any, error))
	in    func() any
}

var copyCases = []copyCase{
	{"AuthRequest", func(t *testing.T, s store.Store, in any) func() (any, error) {
		r := in.(*store.AuthRequest)
		must(t, "create", s.CreateAuthRequest(t.Context(), r, time.Hour))
		id := r.ID
		return func() (any, error) { return s.GetAuthRequest(t.Context(), id) }
	}, func() any { return newAuthRequest() }},
	{"Authentication", func(t *testing.T, s store.Store, in any) func() (any, error) {
		r := newAuthRequest()
		must(t, "create", s.CreateAuthRequest(t.Context(), r, time.Hour))
		must(t, "complete", s.CompleteAuthRequest(t.Context(), r.ID, *in.(*store.Authentication)))
		return func() (any, error) {
			got, err := s.GetAuthRequest(t.Context(), r.ID)
			if err != nil {
				return nil, err
			}
			return got.Auth, nil
		}
	}, func() any { a := newAuthentication(); return &a }},
	{"RefreshToken", func(t *testing.T, s store.Store, in any) func() (any, error) {
		rt, h := in.(*store.RefreshToken), newID("rt")
		must(t, "create", s.CreateRefreshToken(t.Context(), h, rt))
		f := rt.FamilyID
		return func() (any, error) { return s.GetRefreshToken(t.Context(), f, tok(h, rt)) }
	}, func() any { return newRefreshToken(newID("family")) }},
	{"RotatedRefreshToken", func(t *testing.T, s store.Store, in any) func() (any, error) {
		f, h, rt := newFamily(t, s)
		h2, next := newID("rt"), in.(*store.RefreshToken)
		must(t, "rotate", s.RotateRefreshToken(t.Context(), f, tok(h, rt), h2, next))
		return func() (any, error) { return s.GetRefreshToken(t.Context(), f, tok(h2, next)) }
	}, func() any { return nextRefreshToken(newRefreshToken("")) }},
	{"Session", func(t *testing.T, s store.Store, in any) func() (any, error) {
		sess := in.(*store.Session)
		must(t, "create", s.CreateSession(t.Context(), sess))
		id := sess.ID
		return func() (any, error) { return s.GetSession(t.Context(), id) }
	}, func() any { return newSession() }},
	{"Client", func(t *testing.T, s store.Store, in any) func() (any, error) {
		c := in.(*store.Client)
		must(t, "put", s.PutClient(t.Context(), c))
		id := c.ID
		return func() (any, error) { return s.GetClient(t.Context(), id) }
	}, func() any { return newClient(newID("client")) }},
	{"ClientList", func(t *testing.T, s store.Store, in any) func() (any, error) {
		must(t, "put", s.PutClient(t.Context(), in.(*store.Client)))
		return func() (any, error) {
			list, _, err := s.ListClients(t.Context(), "", 10)
			return list, err
		}
	}, func() any { return newClient(newID("client")) }},
	{"Unit", func(t *testing.T, s store.Store, in any) func() (any, error) {
		u := in.(*store.Unit)
		must(t, "put", s.PutUnit(t.Context(), u))
		id := u.ID
		return func() (any, error) { return s.GetUnit(t.Context(), id) }
	}, func() any { return newUnit() }},
	{"Person", func(t *testing.T, s store.Store, in any) func() (any, error) {
		p := in.(*store.Person)
		must(t, "put", s.PutPerson(t.Context(), p))
		idHash := p.IDHash
		return func() (any, error) { return s.FindPersonByIDHash(t.Context(), idHash) }
	}, func() any { return newPerson() }},
	{"Agents", func(t *testing.T, s store.Store, in any) func() (any, error) {
		a := in.(*store.Agent)
		must(t, "put", s.PutAgent(t.Context(), a))
		p := a.PersonID
		return func() (any, error) { return s.AgentsOfPerson(t.Context(), p) }
	}, func() any {
		return &store.Agent{PersonID: newID("p"), UnitID: "91110000000000001A", Roles: []string{"operator"}, Status: "active", CreatedAt: now()}
	}},
	{"KeySet", func(t *testing.T, s store.Store, in any) func() (any, error) {
		_, err := s.SwapKeySet(t.Context(), 0, *in.(*[]byte))
		must(t, "swap", err)
		return func() (any, error) {
			data, _, err := s.GetKeySet(t.Context())
			return data, err
		}
	}, func() any { b := []byte(`{"keys":[]}`); return &b }},
}

// testCopies checks that changing what was written, or what was read,
// changes nothing in the store.
func testCopies(t *testing.T, s store.Store) {
	for _, c := range copyCases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in()
			read := c.write(t, s, in)
			first, err := read()
			must(t, "read", err)
			want := mustMarshal(t, first)

			scribble(reflect.ValueOf(in))
			got, err := read()
			must(t, "read after changing the written value", err)
			if string(mustMarshal(t, got)) != string(want) {
				t.Fatalf("changing the written value changed the store:\n got %s\nwant %s", mustMarshal(t, got), want)
			}

			scribble(reflect.ValueOf(got))
			again, err := read()
			must(t, "read after changing a read value", err)
			if string(mustMarshal(t, again)) != string(want) {
				t.Fatalf("changing a read value changed the store:\n got %s\nwant %s", mustMarshal(t, again), want)
			}
		})
	}
}

// scribble overwrites everything reachable from v that a store could share:
// slice elements, bytes, strings and numbers behind pointers.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				scribble(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + "-scribbled")
		}
	case reflect.Uint8:
		if v.CanSet() {
			v.SetUint(v.Uint() ^ 0xff)
		}
	case reflect.Int64, reflect.Int:
		if v.CanSet() {
			v.SetInt(v.Int() + 1)
		}
	}
}
