package config

import (
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// setExampleEnv sets the variables example.yaml needs.
func setExampleEnv(t *testing.T) {
	t.Setenv("GJJID_KEY_ENCRYPTION_KEY", secret(1))
	t.Setenv("GJJID_TOKEN_KEY", secret(2))
	t.Setenv("GJJID_PEPPER", secret(3))
	t.Setenv("GJJID_ID_HASH_KEY", secret(4))
	t.Setenv("GJJID_COOKIE_KEY", secret(5))
	t.Setenv("GJJID_PORTAL_SECRET", "portal-secret")
	t.Setenv("GJJID_ADMIN_SECRET", "admin-secret")
	t.Setenv("GJJID_SEED_PASSWORD", "860412")
	t.Setenv("GJJID_GD_CLIENT_SECRET", "gd-secret")
}

func TestExampleLoads(t *testing.T) {
	setExampleEnv(t)
	cfg, err := Load("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store.Type != "redis" || len(cfg.Clients) != 4 || cfg.Clients[0].Secret != "portal-secret" || cfg.Clients[2].Scopes[0] != "gjjid:admin" {
		t.Errorf("unexpected example: %+v", cfg)
	}
	var pw struct {
		MaxFailures int    `yaml:"max_failures"`
		Lockout     string `yaml:"lockout"`
	}
	if err := cfg.Connectors[0].Config.Decode(&pw); err != nil || pw.MaxFailures != 5 || pw.Lockout != "15m" {
		t.Errorf("password connector config = %+v, %v", pw, err)
	}
}

func TestExampleNeedsItsSecrets(t *testing.T) {
	setExampleEnv(t)
	t.Setenv("GJJID_TOKEN_KEY", "")
	_, err := Load("example.yaml")
	wantProblem(t, err, "secrets.token_key", "required with store.type redis")
}

// TestExampleShowsEveryKey keeps example.yaml complete as the schema grows.
func TestExampleShowsEveryKey(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	shown := make(map[string]bool)
	nodePaths(doc.Content[0], "", shown)
	var missing []string
	for _, p := range typePaths(reflect.TypeFor[Config](), "") {
		if !shown[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		t.Errorf("example.yaml does not show: %s", strings.Join(missing, ", "))
	}
}

// nodePaths records every key path in the tree, with sequence indices as [].
func nodePaths(n *yaml.Node, path string, out map[string]bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := key(path, n.Content[i].Value)
			out[p] = true
			nodePaths(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			nodePaths(c, path+"[]", out)
		}
	}
}

// typePaths lists every YAML key path of t, with sequence indices as [].
func typePaths(t reflect.Type, path string) []string {
	var out []string
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nodeType:
	case t.Kind() == reflect.Slice:
		out = typePaths(t.Elem(), path+"[]")
	case t.Kind() == reflect.Struct && t != durationType:
		fields := yamlFields(t)
		names := slices.Sorted(maps.Keys(fields))
		for _, name := range names {
			p := key(path, name)
			out = append(out, p)
			out = append(out, typePaths(fields[name], p)...)
		}
	}
	return out
}
