package connectors_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
)

type fakeConnector struct{}

func (*fakeConnector) ID() string                { return "x" }
func (*fakeConnector) Type() string              { return "fake" }
func (*fakeConnector) DisplayName(string) string { return "x" }

// TestFactoryOfReturnsNilConnectorOnError: a failed Open must give a nil
// Connector, not an interface holding a nil *fakeConnector, which the
// registry would take for an opened connector.
func TestFactoryOfReturnsNilConnectorOnError(t *testing.T) {
	t.Parallel()
	fail := func(connectors.Spec, connectors.Deps) (*fakeConnector, error) {
		return nil, errors.New("bad config")
	}
	c, err := connectors.FactoryOf(fail)(connectors.Spec{}, connectors.Deps{})
	if err == nil || c != nil {
		t.Errorf("factory of a failing Open = (%v, %v), want a nil Connector and the error", c, err)
	}
	ok := func(connectors.Spec, connectors.Deps) (*fakeConnector, error) { return &fakeConnector{}, nil }
	if c, err := connectors.FactoryOf(ok)(connectors.Spec{}, connectors.Deps{}); err != nil || c == nil {
		t.Errorf("factory of a working Open = (%v, %v), want the connector", c, err)
	}
}

// TestConfigured: the config is decoded at the spec's path before open
// runs, a decoding error stops there, and open gets the typed config.
func TestConfigured(t *testing.T) {
	t.Parallel()
	parse := func(n *yaml.Node, path string) (string, error) {
		if n.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("%s: want a string", path)
		}
		return n.Value, nil
	}
	var opened []string
	open := connectors.Configured(parse, func(_ connectors.Spec, _ connectors.Deps, cfg string) (*fakeConnector, error) {
		opened = append(opened, cfg)
		return &fakeConnector{}, nil
	})
	spec := connectors.Spec{Path: "connectors[2].config", Config: yaml.Node{Kind: yaml.MappingNode}}
	if c, err := open(spec, connectors.Deps{}); err == nil || err.Error() != "connectors[2].config: want a string" || c != nil || len(opened) > 0 {
		t.Errorf("bad config: (%v, %v), opened %q; want the parse error at the spec's path and no open", c, err, opened)
	}
	spec.Config = yaml.Node{Kind: yaml.ScalarNode, Value: "pin"}
	if c, err := open(spec, connectors.Deps{}); err != nil || c == nil || !slices.Equal(opened, []string{"pin"}) {
		t.Errorf("good config: (%v, %v), opened %q; want the connector opened once with \"pin\"", c, err, opened)
	}
}

// TestPolicy: acr as configured; only the self-bind link policy binds.
func TestPolicy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		link connectors.LinkPolicy
		want bool
	}{{connectors.LinkSelfBind, true}, {connectors.LinkAuto, false}, {connectors.LinkBound, false}, {"", false}} {
		p := connectors.NewPolicy("gjj:loa:2", tc.link)
		if p.ACR() != "gjj:loa:2" || p.SelfBinds() != tc.want {
			t.Errorf("NewPolicy(gjj:loa:2, %q) = (%q, %v), want (gjj:loa:2, %v)", tc.link, p.ACR(), p.SelfBinds(), tc.want)
		}
	}
}

func TestBaseNamesTheConnector(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lang, name, nameEN, want string }{
		{"zh-CN", "", "", "默认"},
		{"en", "", "", "Default"},
		{"zh-CN", "公积金登录", "GJJ", "公积金登录"},
		{"zh-CN", "公积金登录", "", "公积金登录"},
		{"en", "公积金登录", "", "Default"},
		{"en", "公积金登录", "GJJ", "GJJ"},
		{"en", "", "GJJ", "GJJ"},
		{"zh-CN", "", "GJJ", "默认"},
	} {
		b := connectors.NewBase("pin", connectors.Spec{ID: "p1", Type: "other", Name: tc.name, NameEN: tc.nameEN}, "默认", "Default")
		if got := b.DisplayName(tc.lang); got != tc.want {
			t.Errorf("DisplayName(%q) with names %q, %q = %q, want %q", tc.lang, tc.name, tc.nameEN, got, tc.want)
		}
		if b.ID() != "p1" || b.Type() != "pin" {
			t.Errorf("ID, Type = %q, %q; want the spec's ID and the type NewBase was given", b.ID(), b.Type())
		}
	}
}

func TestConfigPathDefaultsToConfig(t *testing.T) {
	t.Parallel()
	if got := (connectors.Spec{}).ConfigPath(); got != "config" {
		t.Errorf("Spec{}.ConfigPath() = %q, want config", got)
	}
	if got := (connectors.Spec{Path: "connectors[2].config"}).ConfigPath(); got != "connectors[2].config" {
		t.Errorf("ConfigPath = %q, want connectors[2].config", got)
	}
}
