package config

import (
	"reflect"
	"testing"
	"time"
)

func TestParseAppliesDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(minimal + `  - id: desktop
    public: true
    application_type: native
    redirect_uris: [http://127.0.0.1/cb]
seed:
  units: [{id: 91350100M000100Y43}]
  persons: [{id_number: 11010519491231002X, password: "860412"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	secure := true
	want := Config{
		Issuer:   "https://sso.example.com",
		Listen:   Listen{Addr: "127.0.0.1:5556", ShutdownTimeout: 15 * time.Second},
		Store:    Store{Type: "memory", Redis: Redis{KeyPrefix: "gjjid:", Timeout: 2 * time.Second}},
		Keys:     Keys{Algorithm: "ES256", RotationPeriod: 720 * time.Hour, PublishAhead: 24 * time.Hour, CheckInterval: time.Minute},
		Tokens:   Tokens{AccessTokenLifetime: 15 * time.Minute, IDTokenLifetime: time.Hour, RefreshTokenLifetime: 720 * time.Hour, CodeLifetime: 60 * time.Second, AuthRequestLifetime: 10 * time.Minute},
		Sessions: Sessions{Lifetime: 8 * time.Hour, CookieName: "gjjid_session", CookieSecure: &secure},
		Login:    Login{DefaultLocale: "zh-CN", IPRateLimit: 30},
		Pages: Pages{IdleTimeout: 15 * time.Minute, Lifetime: 8 * time.Hour, StepUp: StepUp{MaxAge: 10 * time.Minute,
			AddAgent: "gjj:loa:2", ResetPassword: "gjj:loa:2", BindCertificate: "gjj:loa:2"}},
		Staff:   Staff{ACR: "gjj:loa:2", IdleTimeout: 15 * time.Minute, Lifetime: 8 * time.Hour},
		Log:     Log{Level: "info", Format: "json"},
		Audit:   Audit{Retention: 180 * 24 * time.Hour},
		Logout:  Logout{BackchannelRetryFor: 24 * time.Hour},
		DPoP:    DPoP{ProofLifetime: 60 * time.Second},
		PAR:     PAR{RequestURILifetime: 60 * time.Second},
		Tracing: Tracing{ServiceName: "gjjid"},
		Clients: []Client{
			{ID: "portal", Secret: "s3cret", ApplicationType: "web", AuthMethod: "client_secret_basic",
				RedirectURIs: []string{"https://app.example.com/cb"}, GrantTypes: []string{"authorization_code"}},
			{ID: "desktop", Public: true, ApplicationType: "native", AuthMethod: "none",
				RedirectURIs: []string{"http://127.0.0.1/cb"}, GrantTypes: []string{"authorization_code"}},
		},
		Seed: &Seed{
			Units:   []SeedUnit{{ID: "91350100M000100Y43"}},
			Persons: []SeedPerson{{IDType: "resident_id", IDNumber: "11010519491231002X", Password: "860412", Roles: []string{"operator"}}},
		},
	}
	if !reflect.DeepEqual(*cfg, want) {
		t.Errorf("got  %+v\nwant %+v", *cfg, want)
	}
}

func TestApplyDefaultsKeepsSetValues(t *testing.T) {
	t.Parallel()
	insecure := false
	c := Config{
		Issuer:   "https://sso.example.com",
		Tokens:   Tokens{CodeLifetime: 30 * time.Second},
		Sessions: Sessions{CookieSecure: &insecure},
		Clients:  []Client{{AuthMethod: "client_secret_post", GrantTypes: []string{"client_credentials"}}},
	}
	c.ApplyDefaults()
	c.ApplyDefaults() // idempotent
	if c.Tokens.CodeLifetime != 30*time.Second || *c.Sessions.CookieSecure ||
		c.Clients[0].AuthMethod != "client_secret_post" || !reflect.DeepEqual(c.Clients[0].GrantTypes, []string{"client_credentials"}) {
		t.Errorf("ApplyDefaults overwrote a set value: %+v", c)
	}
}

func TestCookieSecureFollowsIssuer(t *testing.T) {
	t.Parallel()
	c := Config{Issuer: "http://127.0.0.1:5556"}
	c.ApplyDefaults()
	if *c.Sessions.CookieSecure {
		t.Error("cookie_secure defaulted to true for an http issuer")
	}
}
