package yamlconfig

import (
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// FuzzMapping: no block, however its aliases and merges are tangled,
// makes the decoder panic or loop.
func FuzzMapping(f *testing.F) {
	for _, s := range []string{
		"a: 1\nb: [x]\nc: {d: 2s}",
		"&a {<<: *a, a: 1}",
		"base: &b {a: 1}\nc: {<<: [*b, *b], <<: *b}",
		"a: &x [*x]",
		"<<: [1, {a: 2}]",
		"c: &c {c: *c}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(src), &n) != nil {
			return
		}
		var (
			a string
			b []string
			d time.Duration
			m map[string]string
		)
		_, _ = Mapping(&n, "c", Str("a", &a, "x"), Strings("b", &b, "[x]"), StringMap("m", &m, "{}"),
			Nested("c", Duration("d", &d, "1s"), Nested("c", Str("a", &a, "x"), Nested("c"))))
	})
}
