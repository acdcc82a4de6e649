package upstream

import (
	"testing"
)

// FuzzPath: no path text makes the parser or a lookup panic, and a parsed
// path prints as written.
func FuzzPath(f *testing.F) {
	for _, s := range []string{"a", "userobj.uid", "list[0].id", "[0][1]", "a..b", "a[", "a[999999]", "用户.名"} {
		f.Add(s, `{"a": {"b": [1, "x", {"c": null}]}, "list": [{"id": "v"}], "userobj": "{\"uid\": 7}"}`)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, err := ParsePath(path)
		if err != nil {
			return
		}
		if p.String() != path {
			t.Fatalf("path %q prints as %q", path, p.String())
		}
		d, err := DecodeJSON([]byte(doc))
		if err != nil {
			return
		}
		_, _ = p.Lookup(d)
		_, _, _ = p.Text(d)
	})
}

// FuzzMapping: any upstream answer maps to an identity or an error, never
// a panic; an identity always has a subject and an unverified one never
// carries an ID number.
func FuzzMapping(f *testing.F) {
	m := DefaultMapping("userobj.uid")
	m.Claims.Name = MustPath("userobj.cn")
	m.Claims.IDNumber = MustPath("userobj.idcardnumber")
	m.Claims.UserType = MustPath("userobj.usertype")
	m.Claims.CreditCode = MustPath("userobj.useridcode")
	m.Claims.Level = MustPath("user_creditable_level")
	m.Claims.Verified = MustPath("userobj.isreal")
	m.UserTypes = map[string]string{"1": KindPerson, "2": KindLegalPerson}
	m.Levels = map[string]string{"3": "gjj:loa:2", "5": "gjj:loa:3"}
	for _, s := range []string{
		`{"userobj": {"uid": "u", "cn": "张三", "usertype": "1", "idcardnumber": "510107199003071236", "isreal": "1"}, "user_creditable_level": "3"}`,
		`{"userobj": {"uid": "u", "cn": "公司", "usertype": "2", "useridcode": "91510100MA61ABCD1T", "isreal": "1"}, "user_creditable_level": 5}`,
		`{"userobj": "{\"uid\": 1}"}`,
		`[]`, `null`, `"x"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := DecodeJSON([]byte(s))
		if err != nil {
			return
		}
		id, err := m.Identity("c", d)
		if err != nil {
			return
		}
		if id.Subject == "" {
			t.Fatal("identity without subject")
		}
		if _, ok := id.Claims["id_number"]; ok && id.LinkPolicy != "auto" {
			t.Fatal("an ID number on an identity that does not auto-link")
		}
	})
}
