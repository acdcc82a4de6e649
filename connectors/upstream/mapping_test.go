package upstream

import (
	"errors"
	"strings"
	"testing"
)

// A configured path that the answer lacks fails the login, whatever the
// claim: a default in its place (the level of an answer without one above
// all, at which auto links by ID number) would let a mistyped path make
// every login count as verified.
func TestMappingConfiguredPathAbsentFailsLogin(t *testing.T) {
	t.Parallel()
	m := mapping(t, `claims: {subject: id, name: name, id_number: idn, id_type: idt, level: lvl, mobile: tel, verified: real,
  user_type: type, credit_code: code, unit_name: unit}
user_types: {p: person, l: legal_person}
id_types: {"111": resident_id}
levels: {"3": gjj:loa:2}`)
	person := `{"id": "1", "name": "张三", "idn": "510107199003071236", "idt": "111", "lvl": "3", "tel": "13800000000", "real": "1", "type": "p"}`
	legal := `{"id": "2", "name": "某公司", "code": "91510100MA61ABCD1T", "unit": "某公司", "lvl": "3", "tel": "13800000000", "real": "1", "type": "l"}`
	for _, tc := range []struct {
		attr, doc, drop string
	}{
		{"level", person, "lvl"},
		{"level", legal, "lvl"},
		{"verified", person, "real"},
		{"verified", legal, "real"},
		{"id_type", person, "idt"},
		{"unit_name", legal, "unit"},
		{"id_number", person, "idn"},
		{"credit_code", legal, "code"},
		{"name", person, "name"},
		{"user_type", person, "type"},
	} {
		t.Run(tc.attr+"/"+tc.drop, func(t *testing.T) {
			t.Parallel()
			full, err := DecodeJSON([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Identity("x", full); err != nil {
				t.Fatalf("complete answer: %v", err)
			}
			doc := full.(map[string]any)
			delete(doc, tc.drop)
			id, err := m.Identity("x", doc)
			if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), tc.attr+" (path "+tc.drop+")") {
				t.Fatalf("answer without %s: identity %+v, error %v; want %v naming the attribute", tc.drop, id, err, ErrMissing)
			}
		})
	}
}

// The mobile is optional: a legal person's answer often lacks it.
func TestMappingAbsentMobileIsNoError(t *testing.T) {
	t.Parallel()
	m := mapping(t, `claims: {subject: id, name: name, mobile: tel}`)
	doc, err := DecodeJSON([]byte(`{"id": "1", "name": "张三"}`))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := m.Identity("x", doc); err != nil || id.Phone != "" {
		t.Fatalf("identity %+v, error %v", id, err)
	}
}

// Without claims.level the connector's acr applies, as documented.
func TestMappingUnconfiguredLevelUsesACR(t *testing.T) {
	t.Parallel()
	m := mapping(t, `claims: {subject: id, name: name}
acr: gjj:loa:1`)
	doc, err := DecodeJSON([]byte(`{"id": "1", "name": "张三"}`))
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.Identity("x", doc)
	if err != nil || id.ACR != "gjj:loa:1" {
		t.Fatalf("identity %+v, error %v; want acr gjj:loa:1", id, err)
	}
}
