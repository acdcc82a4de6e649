package yamlconfig

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestMapping(t *testing.T) {
	t.Parallel()
	var (
		name    string
		timeout time.Duration
		on      bool
		list    []string
	)
	fields := map[string]func(*yaml.Node, string) error{
		"name":    Str(&name, "demo"),
		"timeout": Duration(&timeout, "5s"),
		"on":      Boolean(&on),
		"list":    StrList(&list, "a, b"),
	}
	for _, tc := range []struct {
		src  string
		want []string // substrings, one per error; none: success
	}{
		{"name: x\ntimeout: 3s\non: true\nlist: [a, b]", nil},
		{"nmae: x", []string{"c.nmae: unknown key (line 1); known keys: list, name, on, timeout"}},
		{"name: x\nname: y", []string{"c.name: given twice (line 2)"}},
		{"timeout: soon\non: maybe\nlist: a", []string{"c.timeout: must be a duration such as 5s", "c.on: must be true or false", "c.list: must be a list of strings"}},
		{"[1, 2]", []string{"c: must be a mapping"}},
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tc.src), &n); err != nil {
			t.Fatal(err)
		}
		errs := Mapping(Resolve(&n), "c", "list, name, on, timeout", fields)
		if len(errs) != len(tc.want) {
			t.Fatalf("%q: errors %v, want %d", tc.src, errs, len(tc.want))
		}
		for i, e := range errs {
			if !strings.Contains(e.Error(), tc.want[i]) {
				t.Errorf("%q: error %q lacks %q", tc.src, e, tc.want[i])
			}
		}
		if tc.src == "[1, 2]" && !errors.Is(errs[0], ErrNotMapping) {
			t.Errorf("not a mapping: %v does not match ErrNotMapping", errs[0])
		}
	}
	if name != "x" || timeout != 3*time.Second || !on || len(list) != 2 {
		t.Errorf("decoded %q %v %v %v", name, timeout, on, list)
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
		if err := CheckURL(u, "https://a.example/"); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", u, err, ok)
		}
	}
}
