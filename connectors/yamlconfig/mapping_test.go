package yamlconfig

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// node parses src and returns its top node.
func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// wantErrs fails unless errs hold, one each and in order, want.
func wantErrs(t *testing.T, src string, errs []error, want []string) {
	t.Helper()
	if len(errs) != len(want) {
		t.Fatalf("%q: errors %v, want %d", src, errs, len(want))
	}
	for i, e := range errs {
		if !strings.Contains(e.Error(), want[i]) {
			t.Errorf("%q: error %q lacks %q", src, e, want[i])
		}
	}
}

func TestMapping(t *testing.T) {
	t.Parallel()
	var (
		name    string
		timeout time.Duration
		on      bool
		list    []string
	)
	fields := []Field{
		Str("name", &name, "demo"),
		Duration("timeout", &timeout, "5s"),
		Bool("on", &on),
		Strings("list", &list, "[a, b]"),
	}
	for _, tc := range []struct {
		src  string
		want []string // substrings, one per error; none: success
	}{
		{"name: x\ntimeout: 3s\non: true\nlist: [a, b]", nil},
		{"nmae: x", []string{"c.nmae: unknown key (line 1); known keys: name, timeout, on, list"}},
		{"name: x\nname: y", []string{"c.name: given twice (line 2)"}},
		{"timeout: soon\non: maybe\nlist: a", []string{"c.timeout: must be a duration such as 5s", "c.on: must be true or false", "c.list: must be a list of strings"}},
		{"on: yes", []string{`c.on: must be true or false, got "yes" (line 1)`}},
		{"[1, 2]", []string{"c: must be a mapping"}},
	} {
		errs, ok := Mapping(node(t, tc.src), "c", fields...)
		wantErrs(t, tc.src, errs, tc.want)
		if tc.src == "[1, 2]" && (ok || !errors.Is(errs[0], ErrNotMapping)) {
			t.Errorf("not a mapping: ok %v, %v does not match ErrNotMapping", ok, errs[0])
		}
	}
	if name != "x" || timeout != 3*time.Second || !on || len(list) != 2 {
		t.Errorf("decoded %q %v %v %v", name, timeout, on, list)
	}
}

func TestMappingNullKeepsDefault(t *testing.T) {
	t.Parallel()
	name, on := "default", true
	for _, src := range []string{"", "~", "name: ~\non:"} {
		if errs, ok := Mapping(node(t, src), "c", Str("name", &name, "x"), Bool("on", &on)); len(errs) > 0 || !ok {
			t.Fatalf("%q: %v", src, errs)
		}
	}
	if name != "default" || !on {
		t.Errorf("null changed the defaults: %q %v", name, on)
	}
}

// TestMappingAliasesAndMerges: values, nested mappings and lists may be
// aliases; << merges a mapping (or a list of them) under the mapping's
// own keys, earlier merges winning over later ones; errors in a merged
// block name the path where it is used and the line where it stands.
func TestMappingAliasesAndMerges(t *testing.T) {
	t.Parallel()
	src := `base: &base {host: a.example, port: 1, tags: &tags [x, y]}
more: &more {port: 2, user: bob}
bad: &bad {host: b, colour: red}
uses:
  - {<<: *base, port: 3}
  - {<<: [*more, *base]}
  - {<<: *base, tags: *tags, user: *tags}
  - {<<: *bad}
  - {<<: [1]}
  - {<<: *base, port: 5, port: 6}
`
	type server struct {
		host string
		port int
		user string
		tags []string
	}
	var got []server
	var errs []error
	_, _ = Mapping(node(t, src), "c",
		Func("base", func(*yaml.Node, string) error { return nil }),
		Func("more", func(*yaml.Node, string) error { return nil }),
		Func("bad", func(*yaml.Node, string) error { return nil }),
		List("uses", func(v *yaml.Node, at string) error {
			var s server
			es, _ := Mapping(v, at, Str("host", &s.host, "a"), Whole("port", &s.port, "1"), Str("user", &s.user, "u"), Strings("tags", &s.tags, "[a]"))
			got = append(got, s)
			errs = append(errs, es...)
			return nil
		}))
	want := []server{
		{host: "a.example", port: 3, tags: []string{"x", "y"}},
		{host: "a.example", port: 2, user: "bob", tags: []string{"x", "y"}},
		{host: "a.example", port: 1, tags: []string{"x", "y"}},
		{host: "b"},
		{},
		{host: "a.example", port: 5, tags: []string{"x", "y"}},
	}
	if len(got) != len(want) {
		t.Fatalf("decoded %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.host != w.host || g.port != w.port || g.user != w.user || strings.Join(g.tags, ",") != strings.Join(w.tags, ",") {
			t.Errorf("uses[%d] = %+v, want %+v", i, g, w)
		}
	}
	wantErrs(t, src, errs, []string{
		"c.uses[2].user: must be a string such as u (line 1)",
		"c.uses[3].colour: unknown key (line 3)",
		"c.uses[4].<<: a merge takes a mapping or a list of mappings (line 9)",
		"c.uses[5].port: given twice (line 10)",
	})
}

func TestNestedAndListPaths(t *testing.T) {
	t.Parallel()
	src := "cas:\n  - name: a\n    rules: [{oid: 1.2}, {oid: [x]}]\n  - name: b\n    revocation: {mode: off, grace: soon}\n"
	var errs []error
	es, _ := Mapping(node(t, src), "connectors[0].config", List("cas", func(v *yaml.Node, at string) error {
		var name, oid, mode string
		var grace time.Duration
		e, _ := Mapping(v, at, Str("name", &name, "a"),
			List("rules", func(v *yaml.Node, at string) error {
				e, _ := Mapping(v, at, Str("oid", &oid, "1.2.3"))
				return errors.Join(e...)
			}),
			Nested("revocation", Str("mode", &mode, "off"), Duration("grace", &grace, "24h")))
		return errors.Join(e...)
	}))
	errs = append(errs, es...)
	got := errors.Join(errs...).Error()
	for _, w := range []string{
		"connectors[0].config.cas[0].rules[1].oid: must be a string such as 1.2.3 (line 3)",
		`connectors[0].config.cas[1].revocation.grace: must be a duration such as 24h, got "soon" (line 5)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("errors %q lack %q", got, w)
		}
	}
}

func TestStringMap(t *testing.T) {
	t.Parallel()
	var m map[string]string
	errs, _ := Mapping(node(t, "levels: {3: gjj:loa:2, x: [a], 3: b}"), "c", StringMap("levels", &m, "{3: gjj:loa:2}"))
	wantErrs(t, "levels", errs, []string{"c.levels.x: must be a text value (line 1)\nc.levels.3: given twice (line 1)"})
	if m["3"] != "gjj:loa:2" {
		t.Errorf("levels = %v", m)
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for u, ok := range map[string]bool{
		"https://openapi.alipay.com/gateway.do": true,
		"http://127.0.0.1:8080/gateway.do":      true,
		"http://localhost/x":                    true,
		"http://openapi.alipay.com/gateway.do":  false,
		"https://a.example/x?q=1":               false,
		"https://user@a.example/x":              false,
		"/relative":                             false,
		"ftp://a.example/":                      false,
	} {
		if err := CheckURL(u, false); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", u, err, ok)
		}
	}
	// An authorization endpoint may carry a query, never a fragment.
	if err := CheckURL("https://a.example/x?q=1", true); err != nil {
		t.Errorf("query allowed: %v", err)
	}
	if err := CheckURL("https://a.example/x#f", true); err == nil {
		t.Error("a fragment was accepted")
	}
}

func TestCheckACR(t *testing.T) {
	t.Parallel()
	for acr, want := range map[string]string{
		"gjj:loa:1": "",
		"":          "c.acr: must not be empty (default gjj:loa:1)",
		"gjj loa 1": "c.acr: must not contain spaces",
	} {
		err := CheckACR("c.acr", acr, "gjj:loa:1")
		if (err == nil) != (want == "") || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckACR(%q) = %v, want %q", acr, err, want)
		}
	}
}

func TestCheckRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{CheckRange("c.n", 5, 1, 10, ""), ""},
		{CheckRange("c.n", 0, 1, 10, ": why"), "c.n: must be at least 1"},
		{CheckRange("c.n", 11, 1, 10, ": why"), "c.n: must be at most 10: why"},
		{CheckRange("c.d", 30*time.Second, time.Minute, time.Hour, ""), "c.d: must be at least 1m0s"},
		{CheckRange("c.d", 2*time.Hour, time.Minute, time.Hour, ""), "c.d: must be at most 1h0m0s"},
	} {
		if (tc.err == nil) != (tc.want == "") || (tc.err != nil && tc.err.Error() != tc.want) {
			t.Errorf("error %v, want %q", tc.err, tc.want)
		}
	}
}
