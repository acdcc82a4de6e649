package connectors_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/connectors"
)

type namedConnector struct{ id string }

func (c *namedConnector) ID() string                { return c.id }
func (c *namedConnector) Type() string              { return c.id }
func (c *namedConnector) DisplayName(string) string { return c.id }

type selfBinder struct{ namedConnector }

func (*selfBinder) SelfBinds() bool { return true }

type secondFactor struct{ namedConnector }

func (*secondFactor) SecondFactor() string { return connectors.SecondFactorPassword }

type passwordLogin struct{ namedConnector }

func (*passwordLogin) Login(context.Context, connectors.Credentials) (connectors.Identity, error) {
	return connectors.Identity{}, nil
}

type smsLogin struct{ passwordLogin }

func (*smsLogin) SendCode(context.Context, connectors.Credentials) error { return nil }

// A self-bind connector needs a password or sms connector to bind with, a
// password second factor a password connector: else every first login
// would be stranded, and the configuration is refused with its path.
func TestOpenRefusesConnectorsWithoutTheirProofMethod(t *testing.T) {
	t.Parallel()
	reg := connectors.Registry{
		"selfbind": connectors.FactoryOf(func(s connectors.Spec, _ connectors.Deps) (*selfBinder, error) {
			return &selfBinder{namedConnector{s.ID}}, nil
		}),
		"cert": connectors.FactoryOf(func(s connectors.Spec, _ connectors.Deps) (*secondFactor, error) {
			return &secondFactor{namedConnector{s.ID}}, nil
		}),
		"password": connectors.FactoryOf(func(s connectors.Spec, _ connectors.Deps) (*passwordLogin, error) {
			return &passwordLogin{namedConnector{s.ID}}, nil
		}),
		"sms": connectors.FactoryOf(func(s connectors.Spec, _ connectors.Deps) (*smsLogin, error) {
			return &smsLogin{passwordLogin{namedConnector{s.ID}}}, nil
		}),
	}
	spec := func(i int, typ string) connectors.Spec {
		return connectors.Spec{ID: typ, Type: typ, Path: "connectors[" + string(rune('0'+i)) + "].config"}
	}
	for _, tc := range []struct {
		types []string
		want  string // "" for no error
	}{
		{[]string{"selfbind"}, "connectors[0].config.link_policy"},
		{[]string{"selfbind", "sms"}, ""},
		{[]string{"password", "selfbind"}, ""},
		{[]string{"cert"}, "connectors[0].config.second_factor"},
		{[]string{"sms", "cert"}, "connectors[1].config.second_factor"},
		{[]string{"cert", "password"}, ""},
	} {
		var specs []connectors.Spec
		for i, typ := range tc.types {
			specs = append(specs, spec(i, typ))
		}
		_, errs := reg.Open(specs, connectors.Same(connectors.Deps{}))
		switch {
		case tc.want == "" && len(errs) > 0:
			t.Errorf("%v: %v, want no error", tc.types, errs)
		case tc.want != "" && (len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tc.want+":")):
			t.Errorf("%v: %v, want one error at %s", tc.types, errs, tc.want)
		}
	}
}
