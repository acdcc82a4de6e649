package config

import (
	"errors"
	"strings"
	"testing"
)

// minimal is a valid configuration with a memory store; tests append to it
// or replace parts of it.
const minimal = `issuer: https://sso.example.com
clients:
  - id: portal
    secret: s3cret
    redirect_uris: [https://app.example.com/cb]
`

func TestParseStrict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, path, msg string
	}{
		{
			name: "unknown key with suggestion",
			yaml: minimal + "  - id: desktop\n    public: true\n    redirect_uri: [http://127.0.0.1/cb]\n",
			path: "clients[1].redirect_uri", msg: "line 8: unknown key (did you mean redirect_uris?)",
		},
		{
			name: "unknown top-level key",
			yaml: minimal + "frobnicate: true\n",
			path: "frobnicate", msg: "line 6: unknown key",
		},
		{
			name: "misspelt section",
			yaml: minimal + "token:\n  code_lifetime: 30s\n",
			path: "token", msg: "unknown key (did you mean tokens?)",
		},
		{
			name: "integer for a duration",
			yaml: minimal + "tokens:\n  code_lifetime: 60\n",
			path: "tokens.code_lifetime", msg: `line 7: expected a duration such as 90s, 15m or 720h, got "60"`,
		},
		{
			name: "word for an integer",
			yaml: minimal + "login: {ip_rate_limit: many}\n",
			path: "login.ip_rate_limit", msg: `line 6: expected an integer, got "many"`,
		},
		{
			name: "word for a bool",
			yaml: minimal + "sessions: {cookie_secure: maybe}\n",
			path: "sessions.cookie_secure", msg: `expected true or false, got "maybe"`,
		},
		{
			name: "mapping for a list",
			yaml: "issuer: https://sso.example.com\nclients: {id: portal}\n",
			path: "clients", msg: "line 2: expected a list, got a mapping",
		},
		{
			name: "scalar for a list",
			yaml: minimal + "    grant_types: authorization_code\n",
			path: "clients[0].grant_types", msg: `expected a list, got "authorization_code"`,
		},
		{
			name: "list for a string",
			yaml: minimal + "log: {level: [info]}\n",
			path: "log.level", msg: "expected a string, got a list",
		},
		{
			name: "scalar for a mapping",
			yaml: minimal + "store: redis\n",
			path: "store", msg: `expected a mapping, got "redis"`,
		},
		{
			name: "duplicate key",
			yaml: minimal + "log: {level: info, level: debug}\n",
			path: "log.level", msg: "line 6: duplicate key (first set at line 6)",
		},
		{
			name: "not a mapping",
			yaml: "- issuer\n",
			path: "", msg: "line 1: expected a mapping, got a list",
		},
		{
			name: "unknown key in a merged mapping",
			yaml: minimal + "  - &base {id: a, secret: x, redirect_uris: [https://a.example.com/cb], colour: red}\n  - {<<: *base, id: b}\n",
			path: "clients[1].colour", msg: "unknown key",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.yaml))
			wantProblem(t, err, tc.path, tc.msg)
		})
	}
}

func TestParseKeepsConnectorConfigRaw(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(minimal + `connectors:
  - id: password
    type: password
    name: 经办人登录
    config: {max_failures: 5, lockout: 15m, anything: [goes, here]}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		MaxFailures int    `yaml:"max_failures"`
		Lockout     string `yaml:"lockout"`
	}
	if err := cfg.Connectors[0].Config.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.MaxFailures != 5 || got.Lockout != "15m" {
		t.Errorf("connector config = %+v", got)
	}
	if line := cfg.Connectors[0].Config.Line; line != 10 {
		t.Errorf("connector config line = %d, want 10 (kept for the factory's errors)", line)
	}
}

func TestParseMergeKeys(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(minimal + "  - &base {id: a, secret: x, redirect_uris: [https://a.example.com/cb]}\n  - {<<: *base, id: b}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Clients[2]; got.ID != "b" || got.Secret != "x" {
		t.Errorf("merged client = %+v", got)
	}
}

func TestParseReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`issuer: http://sso.example.com/
tokens:
  code_lifetime: soon
  refresh_token_lifetime: 1m
clients:
  - id: portal
    secret: ${GJJID_T_SURELY_UNSET}
    redirect_uri: [https://app.example.com/cb]
  - id: portal
    public: true
    redirect_uris: ["https://*.example.com/cb"]
`))
	want := []Problem{
		{"clients[0].secret", "line 7: environment variable GJJID_T_SURELY_UNSET is not set"},
		{"tokens.code_lifetime", `line 3: expected a duration`},
		{"clients[0].redirect_uri", "line 8: unknown key (did you mean redirect_uris?)"},
		{"issuer", "line 1: must not end with a slash"},
		{"issuer", "line 1: must use https"},
		{"tokens.refresh_token_lifetime", "line 4: must be at least access_token_lifetime"},
		{"clients[0].redirect_uris", "line 6: required for the authorization_code grant"},
		{"clients[1].id", `line 9: duplicate client id "portal" (also clients[0])`},
		{"clients[1].redirect_uris[0]", "line 11: must not contain a wildcard"},
	}
	ps := problemsOf(t, err)
	for _, w := range want {
		wantProblem(t, err, w.Path, w.Message)
	}
	if len(ps) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(ps), len(want), err)
	}
	// clients[0].secret was unset: no "required" on top of it.
	for _, p := range ps {
		if p.Path == "clients[0].secret" && strings.Contains(p.Message, "required") {
			t.Errorf("follow-on problem reported: %v", p)
		}
	}
}

func TestParseEmptyDocument(t *testing.T) {
	t.Parallel()
	_, err := Parse(nil)
	wantProblem(t, err, "issuer", "required")
}

func TestParseRejectsSecondDocument(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(minimal + "---\nissuer: https://other.example.com\n"))
	if err == nil || !strings.Contains(err.Error(), "only one YAML document") {
		t.Errorf("err = %v", err)
	}
}

func TestParseSyntaxError(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte("issuer: [unclosed\n"))
	var ps Problems
	if err == nil || errors.As(err, &ps) {
		t.Errorf("err = %v, want a plain YAML syntax error", err)
	}
}
