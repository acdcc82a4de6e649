package upstream

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/yamlconfig"

	"github.com/gjjid/gjjid/connectors"
)

func TestPathLookup(t *testing.T) {
	t.Parallel()
	doc, err := DecodeJSON([]byte(`{"userobj": {"uid": "u1", "n": 12345678901234567890, "ok": true, "nil": null},
		"list": [{"id": "a"}, {"id": "b"}], "nested": "{\"inner\": {\"v\": \"x\"}}", "cas:user": "c", "用户": "中"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
		present    bool
	}{
		{"userobj.uid", "u1", true},
		{"userobj.n", "12345678901234567890", true}, // exact, not a float
		{"userobj.ok", "true", true},
		{"userobj.nil", "", false},
		{"userobj.none", "", false},
		{"list[1].id", "b", true},
		{"list[2].id", "", false},
		{"nested.inner.v", "x", true}, // JSON held as text
		{"cas:user", "c", true},
		{"用户", "中", true},
		{"userobj.uid.x", "", false},
	} {
		p, err := ParsePath(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		got, present, err := p.Text(doc)
		if err != nil || got != tc.want || present != tc.present {
			t.Errorf("%s: %q %v %v, want %q %v", tc.path, got, present, err, tc.want, tc.present)
		}
	}
	if _, _, err := MustPath("userobj").Text(doc); err == nil {
		t.Error("an object is not a text value")
	}
	if _, err := DecodeJSON([]byte(`{"a":1} {"b":2}`)); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestParsePathErrors(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", ".a", "a.", "a..b", "a[", "a[x]", "a[-1]", "a[01]", "a]", "a[0]b", "a.[0]", strings.Repeat("a.", 40) + "a"} {
		if _, err := ParsePath(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"a", "a.b", "a[0]", "[0]", "[0][1].c", "a-b_c:d"} {
		if _, err := ParsePath(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func mapping(t *testing.T, src string) Mapping {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	m := DefaultMapping("")
	var policy string
	if errs, _ := yamlconfig.Mapping(&n, "c", m.Fields(&policy)...); len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := m.Finish("c", policy); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMappingPolicies(t *testing.T) {
	t.Parallel()
	m := mapping(t, `claims: {subject: id, name: name, id_number: idn, level: lvl, user_type: type, credit_code: code}
user_types: {p: person, l: legal_person}
levels: {"3": gjj:loa:2, "1": gjj:loa:1}`)
	doc := func(s string) any {
		d, err := DecodeJSON([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	id, err := m.Identity("x", doc(`{"id": "1", "name": "张三", "idn": "510107199003071236", "lvl": "3", "type": "p"}`))
	if err != nil || id.LinkPolicy != connectors.LinkAuto || id.Claims["id_number"] != "510107199003071236" {
		t.Fatalf("verified person: %+v %v", id, err)
	}
	id, err = m.Identity("x", doc(`{"id": "1", "name": "张三", "idn": "510107199003071236", "lvl": "1", "type": "p"}`))
	if err != nil || id.LinkPolicy != connectors.LinkSelfBind || id.Claims["id_number"] != nil {
		t.Fatalf("unverified person: %+v %v", id, err)
	}
	id, err = m.Identity("x", doc(`{"id": "1", "name": "张三", "idn": "510107199003071236", "lvl": "7", "type": "p"}`))
	if err != nil || id.ACR != LowestACR || id.LinkPolicy != connectors.LinkSelfBind {
		t.Fatalf("unknown level: %+v %v", id, err)
	}
	if _, err = m.Identity("x", doc(`{"id": "1", "name": "张三", "idn": "510107199003071237", "lvl": "3", "type": "p"}`)); err == nil ||
		strings.Contains(err.Error(), "5101071990") {
		t.Fatalf("invalid ID number: %v (must not show the number)", err)
	}
	id, err = m.Identity("x", doc(`{"id": "2", "name": "某公司", "code": "91510100MA61ABCD1T", "lvl": "3", "type": "l"}`))
	if err != nil || id.Kind != connectors.KindLegalPerson || id.UnitID != "91510100MA61ABCD1T" || id.LinkPolicy != connectors.LinkAuto {
		t.Fatalf("legal person: %+v %v", id, err)
	}
	if _, err = m.Identity("x", doc(`{"name": "x"}`)); err == nil || !strings.Contains(err.Error(), "subject (path id)") {
		t.Fatalf("missing subject: %v", err)
	}
}
