package appscan

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
)

var testLevels = []string{"gjj:loa:1", "gjj:loa:2", "gjj:loa:3"}

// testDeps are the double's capabilities with the persons and the client
// the tests use.
func testDeps(h *connectorstest.Host) connectors.Deps {
	h.AddClient("portal", "网上办事大厅")
	for _, p := range []connectors.Account{
		{PersonID: "p_alice", Name: "张三"},
		{PersonID: "p_bob", Name: "李四"},
		{PersonID: "p_gone", Name: "王五", Disabled: true},
	} {
		h.AddAccount(p, p.PersonID)
	}
	d := h.Deps()
	d.ACRLevels = testLevels
	return d
}

// token registers an access token of the app (client gjj-app) for person
// in grant and returns it.
func token(h *connectorstest.Host, raw, person, grant, acr string, amr ...string) string {
	h.AddToken(raw, connectors.AccessToken{JTI: raw, Grant: grant, Subject: person, ClientID: "gjj-app", ACR: acr, AMR: amr})
	return raw
}

// openTest opens a connector with YAML config src over a fresh double.
func openTest(t *testing.T, src string) (*Connector, *connectorstest.Host) {
	t.Helper()
	h := connectorstest.New()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("app_clients: [gjj-app]\n"+src), &n); err != nil {
		t.Fatal(err)
	}
	c, err := Open(connectors.Spec{ID: "appscan", Type: Type, Config: *n.Content[0], Path: "connectors[0].config"}, testDeps(h))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return c, h
}
