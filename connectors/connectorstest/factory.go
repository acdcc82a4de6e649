package connectorstest

import (
	"strings"
	"testing"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

// FactoryCase is one opening of a connector through the registry: the
// host's capabilities, the connector's config, and the error wanted ("":
// it opens).
type FactoryCase struct {
	Name    string
	Deps    connectors.Deps
	Config  string
	WantErr string
}

// Factory opens spec, with each case's config, through a registry holding
// only f under spec.Type, and checks that it opens (then calls opened
// with the connector) or that it fails with exactly one error containing
// the case's WantErr and no connector.
func Factory(t *testing.T, f connectors.Factory, spec connectors.Spec, cases []FactoryCase, opened func(*testing.T, connectors.Connector)) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			reg := connectors.Registry{spec.Type: f}
			s := spec
			s.Config = yamlconfigtest.Node(t, tt.Config)
			cs, errs := reg.Open([]connectors.Spec{s}, connectors.Same(tt.Deps))
			if tt.WantErr == "" {
				if len(errs) != 0 || len(cs) != 1 {
					t.Fatalf("Open: %v", errs)
				}
				opened(t, cs[0])
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.WantErr) || len(cs) != 0 {
				t.Fatalf("Open = %v, %v; want one error with %q", cs, errs, tt.WantErr)
			}
		})
	}
}

// Label is one case of a connector's button label: the names the spec
// configures, the language asked for and the label wanted.
type Label struct {
	Name, NameEN, Lang, Want string
}

// Labels opens spec through f, with each case's names and deps, and
// checks the connector's DisplayName in the case's language.
func Labels(t *testing.T, f connectors.Factory, spec connectors.Spec, deps connectors.Deps, cases []Label) {
	t.Helper()
	for _, tc := range cases {
		s := spec
		s.Name, s.NameEN = tc.Name, tc.NameEN
		c, err := f(s, deps)
		if err != nil {
			t.Fatalf("open with names %q, %q: %v", tc.Name, tc.NameEN, err)
		}
		if got := c.DisplayName(tc.Lang); got != tc.Want {
			t.Errorf("DisplayName(%q) with name %q = %q, want %q", tc.Lang, tc.Name, got, tc.Want)
		}
	}
}
