// Package yamlconfigtest runs a connector's config-decoding tests: one
// way to build the block the config package hands a connector, and one
// table runner for what decoding it must give.
package yamlconfigtest

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Node parses src the way the config package hands a connector its
// block: as the value of a `config:` key, so src's first line is line 2.
func Node(t testing.TB, src string) yaml.Node {
	t.Helper()
	var doc struct {
		Config yaml.Node `yaml:"config"`
	}
	lines := strings.Split(strings.TrimRight(src, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	if err := yaml.Unmarshal([]byte("config:\n"+strings.Join(lines, "\n")+"\n"), &doc); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	return doc.Config
}

// Case is one config block and what decoding it gives: Want, or (when
// WantErr is set) an error holding each of WantErr.
type Case[C any] struct {
	Name    string
	YAML    string
	Want    C
	WantErr []string
}

// Run decodes each case's block at path with parse, one parallel subtest
// a case.
func Run[C any](t *testing.T, path string, cases []Case[C], parse func(n *yaml.Node, path string) (C, error)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			n := Node(t, tc.YAML)
			got, err := parse(&n, path)
			if len(tc.WantErr) == 0 {
				if err != nil {
					t.Fatalf("parseConfig: %v", err)
				}
				if !reflect.DeepEqual(got, tc.Want) {
					t.Errorf("parseConfig =\n %+v\nwant\n %+v", got, tc.Want)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseConfig accepted %q as %+v", tc.YAML, got)
			}
			for _, w := range tc.WantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
