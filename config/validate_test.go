package config

import (
	"strings"
	"testing"
	"time"
)

// validConfig is a valid configuration with defaults applied, exercising a
// web client, a native public client, a service client, a connector and a
// seed. Test cases break one thing each.
func validConfig() *Config {
	c := &Config{
		Issuer: "https://sso.example.com",
		Clients: []Client{
			{ID: "portal", Secret: "s3cret", RedirectURIs: []string{"https://app.example.com/cb"}, Connectors: []string{"password"}},
			{ID: "desktop", Public: true, ApplicationType: "native", RedirectURIs: []string{"http://127.0.0.1/cb"}},
			{ID: "batch", SecretHash: strings.Repeat("ab", 32), GrantTypes: []string{"client_credentials"}},
		},
		Connectors: []Connector{{ID: "password", Type: "password"}},
		Seed: &Seed{
			Units:   []SeedUnit{{ID: "91350100M000100Y43"}},
			Persons: []SeedPerson{{IDNumber: "11010519491231002X", Password: "860412", Units: []string{"91350100M000100Y43"}}},
		},
	}
	c.ApplyDefaults()
	return c
}

// useRedis switches c to a valid redis store.
func useRedis(c *Config) {
	c.Store.Type = "redis"
	c.Store.Redis.URL = "redis://127.0.0.1:6379/0"
	c.Secrets = Secrets{secret(1), secret(2), secret(3), secret(4), secret(5)}
}

func TestValidConfigIsValid(t *testing.T) {
	t.Parallel()
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	useRedis(c)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(c *Config)
		path   string
		msg    string
	}{
		// issuer
		{"issuer missing", func(c *Config) { c.Issuer = "" }, "issuer", "required"},
		{"issuer relative", func(c *Config) { c.Issuer = "sso.example.com" }, "issuer", "must be an absolute http(s) URL"},
		{"issuer ftp", func(c *Config) { c.Issuer = "ftp://sso.example.com" }, "issuer", "must be an absolute http(s) URL"},
		{"issuer query", func(c *Config) { c.Issuer = "https://sso.example.com?tenant=1" }, "issuer", "must not have a query"},
		{"issuer fragment", func(c *Config) { c.Issuer = "https://sso.example.com#x" }, "issuer", "must not have a fragment"},
		{"issuer trailing slash", func(c *Config) { c.Issuer = "https://sso.example.com/" }, "issuer", "must not end with a slash"},
		{"issuer user info", func(c *Config) { c.Issuer = "https://u:p@sso.example.com" }, "issuer", "must not contain user info"},
		{"issuer http", func(c *Config) { c.Issuer = "http://sso.example.com" }, "issuer", "must use https"},

		// listen
		{"listen addr", func(c *Config) { c.Listen.Addr = "5556" }, "listen.addr", "must be host:port"},
		{"tls cert alone", func(c *Config) { c.Listen.TLSCertFile = "cert.pem" }, "listen.tls_key_file", "required with tls_cert_file"},
		{"tls key alone", func(c *Config) { c.Listen.TLSKeyFile = "key.pem" }, "listen.tls_cert_file", "required with tls_key_file"},
		{"trusted proxy", func(c *Config) { c.Listen.TrustedProxies = []string{"10.0.0.0/8", "10.1.2.3"} }, "listen.trusted_proxies[1]", "must be a CIDR"},
		{"shutdown timeout", func(c *Config) { c.Listen.ShutdownTimeout = -time.Second }, "listen.shutdown_timeout", "must be a positive duration"},

		// store
		{"store type", func(c *Config) { c.Store.Type = "etcd" }, "store.type", `must be one of memory, redis, got "etcd"`},
		{"memory with redis set", func(c *Config) { c.Store.Redis.URL = "redis://r:6379" }, "store.type", "set type: redis"},
		{"redis url and addrs", func(c *Config) { useRedis(c); c.Store.Redis.Addrs = []string{"r1:6379"} }, "store.redis", "not both"},
		{"redis neither", func(c *Config) { useRedis(c); c.Store.Redis.URL = "" }, "store.redis", "set url (one server) or addrs"},
		{"master name without addrs", func(c *Config) { useRedis(c); c.Store.Redis.MasterName = "mymaster" }, "store.redis.master_name", "requires addrs"},
		{"redis url scheme", func(c *Config) { useRedis(c); c.Store.Redis.URL = "http://r:6379" }, "store.redis.url", "must be a redis:// or rediss:// URL"},
		{"redis url host", func(c *Config) { useRedis(c); c.Store.Redis.URL = "redis:///0" }, "store.redis.url", "must be a redis:// or rediss:// URL"},
		{"redis addr", func(c *Config) {
			useRedis(c)
			c.Store.Redis.URL = ""
			c.Store.Redis.Addrs = []string{"r1:6379", "r2"}
		}, "store.redis.addrs[1]", "must be host:port"},
		{"redis db negative", func(c *Config) { useRedis(c); c.Store.Redis.DB = -1 }, "store.redis.db", "must not be negative"},
		{"redis db in a cluster", func(c *Config) {
			useRedis(c)
			c.Store.Redis.URL = ""
			c.Store.Redis.Addrs = []string{"r1:6379", "r2:6379"}
			c.Store.Redis.DB = 2
		}, "store.redis.db", "must be 0 with a Redis cluster"},
		{"redis timeout", func(c *Config) { useRedis(c); c.Store.Redis.Timeout = -1 }, "store.redis.timeout", "must be a positive duration"},

		// secrets
		{"secret not base64", func(c *Config) { c.Secrets.TokenKey = "not base64!" }, "secrets.token_key", "is not valid base64; generate one with: openssl rand -base64 32"},
		{"secret too short", func(c *Config) { c.Secrets.Pepper = "c2hvcnQ=" }, "secrets.pepper", "exactly 32 bytes, got 5 bytes"},
		{"secret required with redis", func(c *Config) { useRedis(c); c.Secrets.CookieKey = "" }, "secrets.cookie_key", "required with store.type redis"},
		{"secret required says how", func(c *Config) { useRedis(c); c.Secrets.KeyEncryptionKey = "" }, "secrets.key_encryption_key", "openssl rand -base64 32"},
		{"secret reused", func(c *Config) { useRedis(c); c.Secrets.IDHashKey = c.Secrets.Pepper }, "secrets.id_hash_key", "must differ from secrets.pepper"},

		// keys
		{"key algorithm", func(c *Config) { c.Keys.Algorithm = "HS256" }, "keys.algorithm", "must be one of ES256, RS256, EdDSA"},
		{"rotation period", func(c *Config) { c.Keys.RotationPeriod = -time.Hour }, "keys.rotation_period", "must be a positive duration"},
		{"publish ahead", func(c *Config) { c.Keys.PublishAhead = -time.Hour }, "keys.publish_ahead", "must be a positive duration"},
		{"check interval", func(c *Config) { c.Keys.CheckInterval = -time.Minute }, "keys.check_interval", "must be a positive duration"},
		{"publish ahead too long", func(c *Config) { c.Keys.PublishAhead = c.Keys.RotationPeriod }, "keys.publish_ahead", "must be shorter than rotation_period"},
		{"check interval too long", func(c *Config) { c.Keys.CheckInterval = c.Keys.PublishAhead }, "keys.check_interval", "must be shorter than publish_ahead"},

		// tokens
		{"access lifetime", func(c *Config) { c.Tokens.AccessTokenLifetime = -1 }, "tokens.access_token_lifetime", "must be a positive duration"},
		{"id lifetime", func(c *Config) { c.Tokens.IDTokenLifetime = -1 }, "tokens.id_token_lifetime", "must be a positive duration"},
		{"refresh lifetime", func(c *Config) { c.Tokens.RefreshTokenLifetime = -1 }, "tokens.refresh_token_lifetime", "must be a positive duration"},
		{"code lifetime", func(c *Config) { c.Tokens.CodeLifetime = -1 }, "tokens.code_lifetime", "must be a positive duration"},
		{"auth request lifetime", func(c *Config) { c.Tokens.AuthRequestLifetime = -1 }, "tokens.auth_request_lifetime", "must be a positive duration"},
		{"code lifetime too long", func(c *Config) { c.Tokens.CodeLifetime = 61 * time.Second }, "tokens.code_lifetime", "must be at most 60s"},
		{"refresh shorter than access", func(c *Config) { c.Tokens.RefreshTokenLifetime = time.Minute }, "tokens.refresh_token_lifetime", "must be at least access_token_lifetime"},

		// sessions, login, log
		{"session lifetime", func(c *Config) { c.Sessions.Lifetime = -1 }, "sessions.lifetime", "must be a positive duration"},
		{"cookie name", func(c *Config) { c.Sessions.CookieName = "gjjid session" }, "sessions.cookie_name", "must be a cookie name"},
		{"locale", func(c *Config) { c.Login.DefaultLocale = "zh-TW" }, "login.default_locale", `must be one of zh-CN, en, got "zh-TW"`},
		{"ip rate limit", func(c *Config) { c.Login.IPRateLimit = 0 }, "login.ip_rate_limit", "must be at least 1"},
		{"pages idle timeout", func(c *Config) { c.Pages.IdleTimeout = -time.Minute }, "pages.idle_timeout", "must be a positive duration"},
		{"pages idle beyond lifetime", func(c *Config) { c.Pages.IdleTimeout = 9 * time.Hour }, "pages.idle_timeout", "must be at most pages.lifetime"},
		{"pages step-up acr", func(c *Config) { c.Pages.StepUp.AddAgent = "high" }, "pages.step_up.add_agent", `must be one of gjj:loa:1, gjj:loa:2, gjj:loa:3, got "high"`},
		{"staff acr", func(c *Config) { c.Staff.ACR = "gjj:loa:9" }, "staff.acr", `must be one of gjj:loa:1, gjj:loa:2, gjj:loa:3, got "gjj:loa:9"`},
		{"staff idle timeout", func(c *Config) { c.Staff.IdleTimeout = 0 }, "staff.idle_timeout", "must be a positive duration"},
		{"staff idle beyond lifetime", func(c *Config) { c.Staff.IdleTimeout = 9 * time.Hour }, "staff.idle_timeout", "must be at most staff.lifetime"},
		{"staff admin without ID number", func(c *Config) { c.Staff.Admins = []StaffAdmin{{IDType: "resident_id"}} }, "staff.admins[0].id_number", "required"},
		{"staff admin twice", func(c *Config) {
			c.Staff.Admins = []StaffAdmin{{IDType: "resident_id", IDNumber: "11010519491231002X"}, {IDType: "resident_id", IDNumber: "11010519491231002X"}}
		}, "staff.admins[1].id_number", "duplicate of staff.admins[0]"},
		{"log level", func(c *Config) { c.Log.Level = "verbose" }, "log.level", "must be one of debug, info, warn, error"},
		{"log format", func(c *Config) { c.Log.Format = "xml" }, "log.format", "must be one of json, text"},

		// clients: identity
		{"client id missing", func(c *Config) { c.Clients[0].ID = "" }, "clients[0].id", "required"},
		{"client id duplicate", func(c *Config) { c.Clients[2].ID = "portal" }, "clients[2].id", `duplicate client id "portal" (also clients[0])`},
		{"client id reserved for the pages", func(c *Config) { c.Clients[2].ID = PagesClientID }, "clients[2].id", `"gjjid-pages" is reserved for the broker's own pages`},
		{"client id space", func(c *Config) { c.Clients[0].ID = "my portal" }, "clients[0].id", "must not contain whitespace or ':'"},
		{"client id colon", func(c *Config) { c.Clients[0].ID = "portal:1" }, "clients[0].id", "must not contain whitespace or ':'"},

		// clients: authentication
		{"confidential without secret", func(c *Config) { c.Clients[0].Secret = "" }, "clients[0].secret", "required for a confidential client"},
		{"secret and hash", func(c *Config) { c.Clients[0].SecretHash = strings.Repeat("0", 64) }, "clients[0].secret", "not both"},
		{"secret hash short", func(c *Config) { c.Clients[2].SecretHash = "abc" }, "clients[2].secret_hash", "must be 64 hex characters"},
		{"secret hash not hex", func(c *Config) { c.Clients[2].SecretHash = strings.Repeat("zz", 32) }, "clients[2].secret_hash", "must be 64 hex characters"},
		{"public with secret", func(c *Config) { c.Clients[1].Secret = "x" }, "clients[1].secret", "must be empty for a public client"},
		{"public with secret hash", func(c *Config) { c.Clients[1].SecretHash = strings.Repeat("0", 64) }, "clients[1].secret_hash", "must be empty for a public client"},
		{"public not none", func(c *Config) { c.Clients[1].AuthMethod = "client_secret_post" }, "clients[1].auth_method", "must be none for a public client"},
		{"confidential none", func(c *Config) { c.Clients[0].AuthMethod = "none" }, "clients[0].auth_method", "none is only for public clients"},
		{"auth method", func(c *Config) { c.Clients[0].AuthMethod = "client_secret_jwt" }, "clients[0].auth_method", "must be one of client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth, self_signed_tls_client_auth, none"},
		{"tls_client_auth without ca_files", func(c *Config) {
			c.Clients[0].AuthMethod, c.Clients[0].Secret, c.Clients[0].TLSClientAuthSubjectDN = "tls_client_auth", "", "CN=rp"
		}, "clients[0].auth_method", "needs tls_client_auth.ca_files"},
		{"tls_client_auth without a name", func(c *Config) {
			c.Clients[0].AuthMethod, c.Clients[0].Secret = "tls_client_auth", ""
		}, "clients[0].tls_client_auth_subject_dn", "names its certificate"},
		{"ca file missing", func(c *Config) { c.TLSClientAuth.CAFiles = []string{"/nonexistent.pem"} }, "tls_client_auth.ca_files[0]", "read /nonexistent.pem"},
		{"unknown profile", func(c *Config) { c.Clients[0].Profile = "fapi1" }, "clients[0].profile", "must be fapi2 or empty"},
		{"fapi2 with a secret", func(c *Config) { c.Clients[0].Profile = "fapi2" }, "clients[0].auth_method", "authenticates with private_key_jwt"},
		{"fapi2 with RS256 keys", func(c *Config) {
			c.Keys.Algorithm = "RS256"
			c.Clients[0].Profile, c.Clients[0].AuthMethod, c.Clients[0].Secret, c.Clients[0].JWKSURI = "fapi2", "private_key_jwt", "", "https://rp.example/jwks"
		}, "clients[0].profile", "keys.algorithm is RS256"},
		{"private_key_jwt without keys", func(c *Config) { c.Clients[0].AuthMethod, c.Clients[0].Secret = "private_key_jwt", "" }, "clients[0].jwks_uri", "needs its public keys"},
		{"private_key_jwt with a secret", func(c *Config) {
			c.Clients[0].AuthMethod, c.Clients[0].JWKSURI = "private_key_jwt", "https://rp.example/jwks"
		}, "clients[0].secret", "must be empty for a private_key_jwt client"},
		{"jwks not a key set", func(c *Config) {
			c.Clients[0].AuthMethod, c.Clients[0].Secret, c.Clients[0].JWKS = "private_key_jwt", "", "[1,2]"
		}, "clients[0].jwks", "must be a JSON Web Key Set"},
		{"application type", func(c *Config) { c.Clients[0].ApplicationType = "spa" }, "clients[0].application_type", "must be one of web, native"},

		// clients: grants
		{"grant type", func(c *Config) { c.Clients[0].GrantTypes = []string{"authorization_code", "implicit"} }, "clients[0].grant_types[1]", `must be one of authorization_code, refresh_token, client_credentials, got "implicit"`},
		{"public client credentials", func(c *Config) { c.Clients[1].GrantTypes = []string{"authorization_code", "client_credentials"} }, "clients[1].grant_types[1]", "not allowed for a public client"},
		{"code without redirect", func(c *Config) { c.Clients[0].RedirectURIs = nil }, "clients[0].redirect_uris", "required for the authorization_code grant"},
		{"refresh without code", func(c *Config) { c.Clients[2].GrantTypes = []string{"client_credentials", "refresh_token"} }, "clients[2].grant_types", "refresh_token needs authorization_code"},

		// clients: redirect URIs
		{"redirect relative", func(c *Config) { c.Clients[0].RedirectURIs = []string{"/cb"} }, "clients[0].redirect_uris[0]", "must be an absolute URL"},
		{"redirect no host", func(c *Config) { c.Clients[0].RedirectURIs = []string{"https:/cb"} }, "clients[0].redirect_uris[0]", "must be an absolute URL with a host"},
		{"redirect fragment", func(c *Config) { c.Clients[0].RedirectURIs = []string{"https://app.example.com/cb#x"} }, "clients[0].redirect_uris[0]", "must not have a fragment"},
		{"redirect wildcard", func(c *Config) { c.Clients[0].RedirectURIs = []string{"https://*.example.com/cb"} }, "clients[0].redirect_uris[0]", "must not contain a wildcard"},
		{"web http", func(c *Config) { c.Clients[0].RedirectURIs = []string{"http://app.example.com/cb"} }, "clients[0].redirect_uris[0]", "must use https"},
		{"web custom scheme", func(c *Config) { c.Clients[0].RedirectURIs = []string{"com.example.app:/cb"} }, "clients[0].redirect_uris[0]", "custom schemes need application_type: native"},
		{"native scheme without dot", func(c *Config) { c.Clients[1].RedirectURIs = []string{"myapp:/cb"} }, "clients[1].redirect_uris[0]", "a private-use scheme must be a reverse domain name"},
		{"native http not loopback", func(c *Config) { c.Clients[1].RedirectURIs = []string{"http://192.168.1.5/cb"} }, "clients[1].redirect_uris[0]", "http only on a loopback host"},
		{"post logout like redirect", func(c *Config) {
			c.Clients[0].PostLogoutRedirectURIs = []string{"https://app.example.com/", "http://app.example.com/"}
		}, "clients[0].post_logout_redirect_uris[1]", "must use https"},

		// clients: the rest
		{"client connector unknown", func(c *Config) { c.Clients[0].Connectors = []string{"password", "alipay"} }, "clients[0].connectors[1]", `unknown connector "alipay" (configured: password)`},
		{"client access lifetime", func(c *Config) { c.Clients[0].AccessTokenLifetime = -1 }, "clients[0].access_token_lifetime", "must not be negative"},
		{"client id lifetime", func(c *Config) { c.Clients[0].IDTokenLifetime = -1 }, "clients[0].id_token_lifetime", "must not be negative"},
		{"client refresh lifetime", func(c *Config) { c.Clients[0].RefreshTokenLifetime = -1 }, "clients[0].refresh_token_lifetime", "must not be negative"},
		{"client scope", func(c *Config) { c.Clients[0].Scopes = []string{"gjj:read write"} }, "clients[0].scopes[0]", "must be a scope token"},
		{"client back-channel logout http", func(c *Config) { c.Clients[0].BackchannelLogoutURI = "http://app.example.com/bcl" }, "clients[0].backchannel_logout_uri", "must use https"},
		{"client front-channel session without URI", func(c *Config) { c.Clients[0].FrontchannelLogoutSessionRequired = true }, "clients[0].frontchannel_logout_session_required", "needs frontchannel_logout_uri"},
		{"logout retry", func(c *Config) { c.Logout.BackchannelRetryFor = -time.Hour }, "logout.backchannel_retry_for", "must be a positive duration"},
		{"par lifetime too long", func(c *Config) { c.PAR.RequestURILifetime = 2 * time.Minute }, "par.request_uri_lifetime", "must be at most 1m0s"},
		{"dpop proof lifetime too long", func(c *Config) { c.DPoP.ProofLifetime = 10 * time.Minute }, "dpop.proof_lifetime", "must be at most 5m0s"},
		{"dpop proof lifetime negative", func(c *Config) { c.DPoP.ProofLifetime = -time.Second }, "dpop.proof_lifetime", "must be a positive duration"},
		{"client ID token algorithm", func(c *Config) { c.Clients[0].IDTokenSignedResponseAlg = "HS256" }, "clients[0].id_token_signed_response_alg", `must be one of ES256, RS256, got "HS256"`},

		// connectors
		{"connector id missing", func(c *Config) { c.Connectors[0].ID = "" }, "connectors[0].id", "required"},
		{"connector id pattern", func(c *Config) { c.Connectors[0].ID = "Password" }, "connectors[0].id", "must match [a-z0-9_-]+"},
		{"connector id duplicate", func(c *Config) {
			c.Connectors = append(c.Connectors, Connector{ID: "password", Type: "sms"})
		}, "connectors[1].id", `duplicate connector id "password" (also connectors[0])`},
		{"connector type missing", func(c *Config) { c.Connectors[0].Type = "" }, "connectors[0].type", "required"},

		// seed
		{"unit id length", func(c *Config) { c.Seed.Units[0].ID = "91350100M000100Y4" }, "seed.units[0].id", "must be an 18-character"},
		{"unit id duplicate", func(c *Config) { c.Seed.Units = append(c.Seed.Units, c.Seed.Units[0]) }, "seed.units[1].id", "duplicate unit id"},
		{"person id number", func(c *Config) { c.Seed.Persons[0].IDNumber = "" }, "seed.persons[0].id_number", "required"},
		{"person password short", func(c *Config) { c.Seed.Persons[0].Password = "12345" }, "seed.persons[0].password", "must be exactly 6 digits"},
		{"person password letters", func(c *Config) { c.Seed.Persons[0].Password = "12345a" }, "seed.persons[0].password", "must be exactly 6 digits"},
		{"person unit unknown", func(c *Config) { c.Seed.Persons[0].Units = []string{"91110108MA01ABCD1E"} }, "seed.persons[0].units[0]", `unknown unit "91110108MA01ABCD1E"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tc.mutate(c)
			wantProblem(t, c.Validate(), tc.path, tc.msg)
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(c *Config)
		path   string // no problem may be reported at or below it
	}{
		{"issuer http 127.0.0.1", func(c *Config) { c.Issuer = "http://127.0.0.1:5556" }, "issuer"},
		{"issuer http ::1", func(c *Config) { c.Issuer = "http://[::1]:5556" }, "issuer"},
		{"issuer http localhost", func(c *Config) { c.Issuer = "http://localhost:5556" }, "issuer"},
		{"issuer with path", func(c *Config) { c.Issuer = "https://gjj.example.com/sso" }, "issuer"},
		{"rediss url", func(c *Config) { useRedis(c); c.Store.Redis.URL = "rediss://u:p@r.example.com:6380/1" }, "store"},
		{"sentinel", func(c *Config) {
			useRedis(c)
			c.Store.Redis.URL = ""
			c.Store.Redis.Addrs = []string{"s1:26379", "s2:26379"}
			c.Store.Redis.MasterName = "mymaster"
			c.Store.Redis.DB = 1
		}, "store"},
		{"secrets raw url base64", func(c *Config) {
			c.Secrets.TokenKey = strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(secret(0xfb)), "=")
		}, "secrets"},
		{"secrets padded std base64 with newline", func(c *Config) { c.Secrets.TokenKey = secret(0xfb) + "\n" }, "secrets"},
		{"web loopback http", func(c *Config) {
			c.Clients[0].RedirectURIs = []string{"http://127.0.0.1:8080/cb", "http://[::1]/cb", "http://localhost:3000/cb"}
		}, "clients[0]"},
		{"native choices", func(c *Config) {
			c.Clients[1].RedirectURIs = []string{"http://127.0.0.1/cb", "http://[::1]/cb", "com.example.gjj.desktop:/cb", "https://app.example.com/cb"}
		}, "clients[1]"},
		{"client secret post", func(c *Config) { c.Clients[0].AuthMethod = "client_secret_post" }, "clients[0]"},
		{"logout URIs", func(c *Config) {
			c.Clients[0].BackchannelLogoutURI, c.Clients[0].BackchannelLogoutSessionRequired = "https://app.example.com/bcl", true
			c.Clients[0].FrontchannelLogoutURI = "http://127.0.0.1:8080/fcl"
		}, "clients[0]"},
		{"RS256 ID tokens", func(c *Config) { c.Clients[0].IDTokenSignedResponseAlg = "RS256" }, "clients[0]"},
		{"hash upper case", func(c *Config) { c.Clients[2].SecretHash = strings.Repeat("AB", 32) }, "clients[2]"},
		{"no seed", func(c *Config) { c.Seed = nil }, "seed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tc.mutate(c)
			wantNoProblem(t, c.Validate(), tc.path)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	c := validConfig()
	c.Issuer = ""
	c.Log.Level = "loud"
	c.Clients[0].RedirectURIs = []string{"/a", "/b"}
	ps := problemsOf(t, c.Validate())
	if len(ps) != 4 {
		t.Errorf("got %d problems, want 4:\n%v", len(ps), ps)
	}
}
