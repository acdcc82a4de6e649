package config

import (
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOST": "db.internal", "EMPTY": "", "NESTED": "${HOST}"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		in, want string
		errs     []string
	}{
		{in: "redis://${HOST}:6379", want: "redis://db.internal:6379"},
		{in: "${UNSET:-fallback}", want: "fallback"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${EMPTY}", want: ""},
		{in: "${UNSET:-}", want: ""},
		{in: "${HOST:-fallback}", want: "db.internal"},
		{in: "$${HOST}", want: "${HOST}"},
		{in: "a$$b", want: "a$b"},
		{in: "$2a$10$abc", want: "$2a$10$abc"}, // a lone $ is literal
		{in: "cost $", want: "cost $"},
		{in: "${NESTED}", want: "${HOST}"}, // values are not expanded again
		{in: "${UNSET}", errs: []string{"environment variable UNSET is not set"}},
		{in: "${A} ${B}", errs: []string{"A is not set", "B is not set"}},
		{in: "${1X}", errs: []string{"invalid variable reference ${1X}"}},
		{in: "${HOST", errs: []string{"unterminated ${"}},
	}
	for _, tc := range tests {
		got, errs := expand(tc.in, lookup)
		if len(tc.errs) > 0 {
			if len(errs) != len(tc.errs) {
				t.Errorf("expand(%q) errors = %q, want %q", tc.in, errs, tc.errs)
				continue
			}
			for i, e := range tc.errs {
				if !strings.Contains(errs[i], e) {
					t.Errorf("expand(%q) error %q, want …%s…", tc.in, errs[i], e)
				}
			}
			continue
		}
		if len(errs) > 0 || got != tc.want {
			t.Errorf("expand(%q) = %q, %q; want %q", tc.in, got, errs, tc.want)
		}
	}
}

const envBase = `
issuer: https://sso.example.com
clients:
  - id: portal
    secret: s3cret
    redirect_uris: [https://app.example.com/cb]
`

func TestParseExpandsEnv(t *testing.T) {
	t.Setenv("GJJID_T_ISSUER", "https://sso.example.com")
	t.Setenv("GJJID_T_NAME", "a\nb: c") // must stay one scalar
	t.Setenv("GJJID_T_DB", "3")
	t.Setenv("GJJID_T_LIFE", "30m")
	cfg, err := Parse([]byte(`
issuer: ${GJJID_T_ISSUER}
store:
  redis:
    db: ${GJJID_T_DB}
    key_prefix: "${GJJID_T_PREFIX:-app:}"
sessions:
  lifetime: ${GJJID_T_LIFE}
clients:
  - id: portal
    name: ${GJJID_T_NAME}
    secret: "pa$$word ${GJJID_T_DB}"
    redirect_uris: [https://app.example.com/cb]
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer != "https://sso.example.com" {
		t.Errorf("issuer = %q", cfg.Issuer)
	}
	if cfg.Store.Redis.DB != 3 {
		t.Errorf("redis.db = %d, want 3 (a plain ${} scalar takes its value's type)", cfg.Store.Redis.DB)
	}
	if cfg.Store.Redis.KeyPrefix != "app:" {
		t.Errorf("key_prefix = %q, want the default app:", cfg.Store.Redis.KeyPrefix)
	}
	if cfg.Sessions.Lifetime.String() != "30m0s" {
		t.Errorf("sessions.lifetime = %v", cfg.Sessions.Lifetime)
	}
	if got := cfg.Clients[0].Name; got != "a\nb: c" {
		t.Errorf("name = %q, want the variable verbatim", got)
	}
	if got := cfg.Clients[0].Secret; got != "pa$word 3" {
		t.Errorf("secret = %q, want $$ unescaped", got)
	}
}

func TestParseEnvInjectionStaysOneScalar(t *testing.T) {
	t.Setenv("GJJID_T_X", "a\nb: c\nissuer: https://evil.example.com")
	cfg, err := Parse([]byte(envBase + "    name: ${GJJID_T_X}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer != "https://sso.example.com" || cfg.Clients[0].Name != "a\nb: c\nissuer: https://evil.example.com" {
		t.Errorf("issuer %q, name %q: the variable leaked into the document", cfg.Issuer, cfg.Clients[0].Name)
	}
}

func TestParseUnsetEnvIsAProblem(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(envBase + "    name: ${GJJID_T_SURELY_UNSET}\n"))
	wantProblem(t, err, "clients[0].name", "line 7: environment variable GJJID_T_SURELY_UNSET is not set")
}

func TestParseUnsetEnvHidesFollowOnProblems(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`
issuer: https://sso.example.com
store: {type: redis, redis: {url: "redis://127.0.0.1:6379"}}
secrets:
  key_encryption_key: ` + secret(1) + `
  token_key: ${GJJID_T_SURELY_UNSET}
  pepper: ` + secret(2) + `
  id_hash_key: ` + secret(3) + `
  cookie_key: ` + secret(4) + `
`))
	ps := problemsOf(t, err)
	if len(ps) != 1 || ps[0].Path != "secrets.token_key" || !strings.Contains(ps[0].Message, "GJJID_T_SURELY_UNSET is not set") {
		t.Errorf("want only the unset variable, got:\n%v", err)
	}
}

func TestParseEnvInConnectorConfig(t *testing.T) {
	t.Setenv("GJJID_T_APP_SECRET", "x: y")
	cfg, err := Parse([]byte(envBase + `
connectors:
  - id: alipay
    type: alipay
    config: {app_secret: "${GJJID_T_APP_SECRET}", retries: 3}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		AppSecret string `yaml:"app_secret"`
		Retries   int    `yaml:"retries"`
	}
	if err := cfg.Connectors[0].Config.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.AppSecret != "x: y" || got.Retries != 3 {
		t.Errorf("connector config = %+v", got)
	}
}
