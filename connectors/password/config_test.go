package password

import (
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

func TestConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		want    Config
		wantErr []string // substrings, each must appear
	}{
		{name: "absent", yaml: "", want: Config{5, 15 * time.Minute, "gjj:loa:1"}},
		{name: "empty mapping", yaml: "{}", want: Config{5, 15 * time.Minute, "gjj:loa:1"}},
		{name: "all set", yaml: "max_failures: 3\nlockout: 1h\nacr: gjj:loa:2", want: Config{3, time.Hour, "gjj:loa:2"}},
		{name: "max_failures zero", yaml: "max_failures: 0", wantErr: []string{"connectors[0].config.max_failures: must be at least 1"}},
		{name: "max_failures negative", yaml: "max_failures: -1", wantErr: []string{"connectors[0].config.max_failures: must be at least 1"}},
		{name: "max_failures too high", yaml: "max_failures: 1000", wantErr: []string{"connectors[0].config.max_failures: must be at most 20"}},
		{name: "max_failures not a number", yaml: "max_failures: five", wantErr: []string{`connectors[0].config.max_failures: must be a whole number such as 5, got "five" (line 2)`}},
		{name: "lockout too short", yaml: "lockout: 30s", wantErr: []string{"connectors[0].config.lockout: must be at least 1m0s"}},
		{name: "lockout too long", yaml: "lockout: 48h", wantErr: []string{"connectors[0].config.lockout: must be at most 24h0m0s"}},
		{name: "lockout without unit", yaml: "lockout: 15", wantErr: []string{`connectors[0].config.lockout: must be a duration such as 15m or 1h, got "15"`}},
		{name: "lockout garbage", yaml: "lockout: soon", wantErr: []string{`connectors[0].config.lockout: must be a duration`}},
		{name: "acr empty", yaml: `acr: ""`, wantErr: []string{"connectors[0].config.acr: must not be empty"}},
		{name: "acr with space", yaml: `acr: "gjj loa 1"`, wantErr: []string{"connectors[0].config.acr: must not contain spaces"}},
		{name: "acr a list", yaml: "acr: [a, b]", wantErr: []string{"connectors[0].config.acr: must be a string"}},
		{name: "unknown key", yaml: "max_failure: 3", wantErr: []string{"connectors[0].config.max_failure: unknown key (line 2); known keys: max_failures, lockout, acr"}},
		{name: "not a mapping", yaml: "- 5", wantErr: []string{"connectors[0].config: must be a mapping"}},
		{name: "every error at once", yaml: "max_failures: 0\nlockout: 1s\nacr: \"\"\nextra: 1", wantErr: []string{
			"connectors[0].config.max_failures:", "connectors[0].config.lockout:", "connectors[0].config.acr:", "connectors[0].config.extra: unknown key",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := configNode(t, tt.yaml)
			got, err := parseConfig(&n, "connectors[0].config")
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("parseConfig: %v", err)
				}
				if got != tt.want {
					t.Errorf("parseConfig = %+v, want %+v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseConfig accepted %q as %+v", tt.yaml, got)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestConfigDuplicateKey(t *testing.T) {
	t.Parallel()
	// yaml.v3 refuses duplicate keys while parsing; a hand-built node
	// (what a config loader with merges might hand over) is checked here.
	n := configNode(t, "max_failures: 3\nlockout: 1h")
	n.Content = append(n.Content, n.Content[0], n.Content[1])
	if _, err := parseConfig(&n, "c"); err == nil || !strings.Contains(err.Error(), "c.max_failures: given twice") {
		t.Errorf("duplicate key: error %v", err)
	}
}

func TestFactory(t *testing.T) {
	t.Parallel()
	key := connectors.Secrets{IDHashKey: []byte("k")}
	tests := []struct {
		name    string
		dir     Directory
		deps    connectors.Deps
		config  string
		wantErr string
	}{
		{name: "opens", dir: &fakeDirectory{}, deps: connectors.Deps{Store: newFakeCounters(), Secrets: key}},
		{name: "bad config names its path", dir: &fakeDirectory{}, deps: connectors.Deps{Store: newFakeCounters(), Secrets: key}, config: "max_failures: 0", wantErr: "connectors[2].config.max_failures: must be at least 1"},
		{name: "no directory", deps: connectors.Deps{Store: newFakeCounters(), Secrets: key}, wantErr: "no account directory"},
		{name: "store without counters", dir: &fakeDirectory{}, deps: connectors.Deps{Store: struct{}{}, Secrets: key}, wantErr: "has no failure counters"},
		{name: "no id hash key", dir: &fakeDirectory{}, deps: connectors.Deps{Store: newFakeCounters()}, wantErr: "secrets.id_hash_key is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := connectors.Registry{Type: Factory(tt.dir)}
			spec := connectors.Spec{ID: "pwd", Type: Type, Path: "connectors[2].config", Config: configNode(t, tt.config)}
			cs, errs := reg.Open([]connectors.Spec{spec}, tt.deps)
			if tt.wantErr == "" {
				if len(errs) != 0 || len(cs) != 1 {
					t.Fatalf("Open: %v", errs)
				}
				c := cs[0].(*Connector)
				if c.ID() != "pwd" || c.Type() != "password" {
					t.Errorf("ID, Type = %q, %q", c.ID(), c.Type())
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr) || len(cs) != 0 {
				t.Fatalf("Open = %v, %v; want one error with %q", cs, errs, tt.wantErr)
			}
		})
	}
}

func TestDisplayName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, nameEN, lang, want string }{
		{"", "", "zh-CN", "经办人登录"},
		{"", "", "en", "Agent sign-in"},
		{"", "", "", "经办人登录"},
		{"单位经办人", "", "zh-CN", "单位经办人"},
		{"单位经办人", "", "en", "Agent sign-in"},
		{"单位经办人", "Unit agents", "en", "Unit agents"},
	} {
		c := &Connector{name: tc.name, nameEN: tc.nameEN}
		if got := c.DisplayName(tc.lang); got != tc.want {
			t.Errorf("DisplayName(%q) with name %q = %q, want %q", tc.lang, tc.name, got, tc.want)
		}
	}
}
