package broker_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/oidc"
	"github.com/gjjid/gjjid/connectors/oidc/oidctest"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// TestCanaryOIDCLogin runs the broker's OIDC login against a fake OP whose
// token or userinfo endpoint fails quoting everything it received, and
// once successfully; the broker's log (as written, masked, JSON) and the
// audit trail must hold none of the client secret, the code, the PKCE
// verifier or the tokens, in any encoding.
func TestCanaryOIDCLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, endpoint string }{
		{"token echoes", oidctest.EndpointToken},
		{"userinfo echoes", oidctest.EndpointUserinfo},
		{"success", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			op := oidctest.NewServer("gjj", "op-s3cret-canary")
			t.Cleanup(op.Close)
			op.SetClaims(map[string]any{"sub": "u-1", "name": bt.AgentName, "id_number": bt.AgentIDNumber, "acr": "gjj:loa:2"})
			if tc.endpoint != "" {
				op.FailEchoing(tc.endpoint)
			}
			logs := &bt.LogBuffer{}
			b := bt.Start(t, bt.Options{Log: logs, LogLevel: "debug", Edit: func(c *config.Config) {
				c.Connectors = append(c.Connectors, config.Connector{ID: "prov", Type: oidc.Type, Config: yamlNode(t,
					"issuer: "+op.URL+"\nclient_id: gjj\nclient_secret: op-s3cret-canary\nuserinfo: true\nclaims: {id_number: id_number, level: acr}\n")})
				c.Clients[0].Connectors = []string{"prov"}
			}})
			br := bt.NewBrowser(t)
			loc, err := br.Get(bt.NewRP(t, b.URL).NewFlow().URL)
			if err != nil {
				t.Fatal(err)
			}
			if (loc != nil) != (tc.endpoint == "") {
				t.Fatalf("login ended at %v with page %d: %.400s", loc, br.Last, br.Page)
			}
			admin := bt.NewAdminAPI(t, b.URL)
			var trail listPage[json.RawMessage]
			admin.Want(http.StatusOK, "GET", "/admin/v1/audit?limit=500", nil, &trail)
			all, _ := json.Marshal(trail.Items)
			canaries := []string{"op-s3cret-canary"}
			for _, q := range op.Received() {
				canaries = append(canaries, q.Get("code"), q.Get("code_verifier"), q.Get("authorization"))
				if a := q.Get("authorization"); len(a) > 7 {
					canaries = append(canaries, a[7:])
				}
			}
			if len(canaries) < 3 {
				t.Fatal("the fake OP received nothing")
			}
			if !strings.Contains(logs.String(), `"level":"DEBUG"`) {
				t.Fatal("no debug lines were captured: the canary check would not cover debug level")
			}
			redacttest.AssertNoCanary(t, logs.String(), canaries...)
			redacttest.AssertNoCanary(t, string(all), canaries...)
		})
	}
}
