package password

import (
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

func TestConfig(t *testing.T) {
	t.Parallel()
	tests := []yamlconfigtest.Case[Config]{
		{Name: "absent", YAML: "", Want: Config{5, 15 * time.Minute, "gjj:loa:1"}},
		{Name: "empty mapping", YAML: "{}", Want: Config{5, 15 * time.Minute, "gjj:loa:1"}},
		{Name: "all set", YAML: "max_failures: 3\nlockout: 1h\nacr: gjj:loa:2", Want: Config{3, time.Hour, "gjj:loa:2"}},
		{Name: "max_failures zero", YAML: "max_failures: 0", WantErr: []string{"connectors[0].config.max_failures: must be at least 1"}},
		{Name: "max_failures negative", YAML: "max_failures: -1", WantErr: []string{"connectors[0].config.max_failures: must be at least 1"}},
		{Name: "max_failures too high", YAML: "max_failures: 1000", WantErr: []string{"connectors[0].config.max_failures: must be at most 20"}},
		{Name: "max_failures not a number", YAML: "max_failures: five", WantErr: []string{`connectors[0].config.max_failures: must be a whole number such as 5, got "five" (line 2)`}},
		{Name: "lockout too short", YAML: "lockout: 30s", WantErr: []string{"connectors[0].config.lockout: must be at least 1m0s"}},
		{Name: "lockout too long", YAML: "lockout: 48h", WantErr: []string{"connectors[0].config.lockout: must be at most 24h0m0s"}},
		{Name: "lockout without unit", YAML: "lockout: 15", WantErr: []string{`connectors[0].config.lockout: must be a duration such as 15m or 1h, got "15"`}},
		{Name: "lockout garbage", YAML: "lockout: soon", WantErr: []string{`connectors[0].config.lockout: must be a duration`}},
		{Name: "acr empty", YAML: `acr: ""`, WantErr: []string{"connectors[0].config.acr: must not be empty"}},
		{Name: "acr with space", YAML: `acr: "gjj loa 1"`, WantErr: []string{"connectors[0].config.acr: must not contain spaces"}},
		{Name: "acr a list", YAML: "acr: [a, b]", WantErr: []string{"connectors[0].config.acr: must be a string"}},
		{Name: "unknown key", YAML: "max_failure: 3", WantErr: []string{"connectors[0].config.max_failure: unknown key (line 2); known keys: max_failures, lockout, acr"}},
		{Name: "not a mapping", YAML: "- 5", WantErr: []string{"connectors[0].config: must be a mapping"}},
		{Name: "every error at once", YAML: "max_failures: 0\nlockout: 1s\nacr: \"\"\nextra: 1", WantErr: []string{
			"connectors[0].config.max_failures:", "connectors[0].config.lockout:", "connectors[0].config.acr:", "connectors[0].config.extra: unknown key",
		}},
	}
	yamlconfigtest.Run(t, "connectors[0].config", tests, parseConfig)
}

func TestConfigDuplicateKey(t *testing.T) {
	t.Parallel()
	// yaml.v3 refuses duplicate keys while parsing; a hand-built node
	// (what a config loader with merges might hand over) is checked here.
	n := yamlconfigtest.Node(t, "max_failures: 3\nlockout: 1h")
	n.Content = append(n.Content, n.Content[0], n.Content[1])
	if _, err := parseConfig(&n, "c"); err == nil || !strings.Contains(err.Error(), "c.max_failures: given twice") {
		t.Errorf("duplicate key: error %v", err)
	}
}

func TestFactory(t *testing.T) {
	t.Parallel()
	key := connectors.Secrets{IDHashKey: []byte("k")}
	h := connectorstest.New()
	tests := []connectorstest.FactoryCase{
		{Name: "opens", Deps: connectors.Deps{Accounts: h, Counters: h, Secrets: key}},
		{Name: "bad config names its path", Deps: connectors.Deps{Accounts: h, Counters: h, Secrets: key}, Config: "max_failures: 0", WantErr: "connectors[2].config.max_failures: must be at least 1"},
		{Name: "no directory", Deps: connectors.Deps{Counters: h, Secrets: key}, WantErr: "the host gave no Accounts"},
		{Name: "store without counters", Deps: connectors.Deps{Accounts: h, Secrets: key}, WantErr: "the host gave no Counters"},
		{Name: "no id hash key", Deps: connectors.Deps{Accounts: h, Counters: h}, WantErr: "the host gave no Secrets.IDHashKey"},
	}
	connectorstest.Factory(t, Factory, connectors.Spec{ID: "pwd", Type: Type, Path: "connectors[2].config"}, tests, func(t *testing.T, c connectors.Connector) {
		if c.ID() != "pwd" || c.Type() != "password" {
			t.Errorf("ID, Type = %q, %q", c.ID(), c.Type())
		}
	})
}

func TestDisplayName(t *testing.T) {
	t.Parallel()
	h := connectorstest.New()
	deps := connectors.Deps{Accounts: h, Counters: h, Secrets: connectors.Secrets{IDHashKey: []byte("k")}}
	connectorstest.Labels(t, Factory, connectors.Spec{ID: "pwd", Type: Type}, deps, []connectorstest.Label{
		{Lang: "zh-CN", Want: "经办人登录"},
		{Lang: "en", Want: "Agent sign-in"},
		{Want: "经办人登录"},
		{Name: "单位经办人", Lang: "zh-CN", Want: "单位经办人"},
		{Name: "单位经办人", Lang: "en", Want: "Agent sign-in"},
		{Name: "单位经办人", NameEN: "Unit agents", Lang: "en", Want: "Unit agents"},
	})
}
