package connectors_test

import (
	"errors"
	"testing"

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
