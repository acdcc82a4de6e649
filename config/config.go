// Package config is gjjid's YAML schema as one struct tree. It parses,
// expands ${ENV}, applies defaults and validates; it has no other behaviour.
package config

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration file.
type Config struct {
	// Issuer is the OpenID Provider's issuer URL, verbatim in every `iss`.
	Issuer     string      `yaml:"issuer"`
	Listen     Listen      `yaml:"listen"`
	Store      Store       `yaml:"store"`
	Secrets    Secrets     `yaml:"secrets"`
	Keys       Keys        `yaml:"keys"`
	Tokens     Tokens      `yaml:"tokens"`
	Sessions   Sessions    `yaml:"sessions"`
	Login      Login       `yaml:"login"`
	Pages      Pages       `yaml:"pages"`
	Staff      Staff       `yaml:"staff"`
	Log        Log         `yaml:"log"`
	Audit      Audit       `yaml:"audit"`
	Clients    []Client    `yaml:"clients"`
	Connectors []Connector `yaml:"connectors"`
	Seed       *Seed       `yaml:"seed,omitempty"`
	// Registration configures RFC 7591/7592 dynamic client registration.
	Registration Registration `yaml:"registration"`
	// Logout configures logout messages to relying parties (logout.go).
	Logout Logout `yaml:"logout"`
	// DPoP configures sender-constrained tokens (dpop.go).
	DPoP DPoP `yaml:"dpop"`
	// PAR configures pushed authorization requests (dpop.go).
	PAR PAR `yaml:"par"`
	// TLSClientAuth configures RFC 8705 client authentication (clientkeys.go).
	TLSClientAuth TLSClientAuth `yaml:"tls_client_auth"`
	// Tracing exports OpenTelemetry traces (tracing.go); off by default.
	Tracing Tracing `yaml:"tracing"`
}

// Audit configures the audit trail.
type Audit struct {
	// Retention is how long audit events are kept (default 4320h = 180
	// days, the minimum the 网络安全法 asks of network logs).
	Retention time.Duration `yaml:"retention"`
}

// Listen is where the HTTP server listens.
type Listen struct {
	Addr            string        `yaml:"addr"` // default 127.0.0.1:5556
	TLSCertFile     string        `yaml:"tls_cert_file"`
	TLSKeyFile      string        `yaml:"tls_key_file"`
	TrustedProxies  []string      `yaml:"trusted_proxies"` // CIDRs whose X-Forwarded-For is believed
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`

	MTLS       MTLS       `yaml:"mtls"`
	ClientCert ClientCert `yaml:"client_cert"`
}

// MTLS is the listener that asks browsers for a client certificate
// (certificate login, connector type x509); Addr "" runs none.
type MTLS struct {
	Addr        string `yaml:"addr"`
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// URL is the listener's public URL (default https://<addr>).
	URL string `yaml:"url"`
}

// ClientCert says which TLS-terminating proxies may forward a client
// certificate (RFC 9440 Client-Cert, or Header with URL-encoded PEM).
type ClientCert struct {
	TrustedProxies []string `yaml:"trusted_proxies"` // CIDRs; the forwarded headers of anyone else are stripped
	Header         string   `yaml:"header"`          // e.g. X-SSL-Client-Cert; "" only RFC 9440
}

// Store selects and configures the backend.
type Store struct {
	Type  string `yaml:"type"` // memory | redis; default memory
	Redis Redis  `yaml:"redis"`
	// Database moves the durable records to PostgreSQL (with type redis).
	Database Database `yaml:"database"`
}

// Redis configures go-redis's UniversalClient: URL for one server, Addrs
// for a cluster, Addrs plus MasterName for Sentinel.
type Redis struct {
	URL        string        `yaml:"url"`
	Addrs      []string      `yaml:"addrs"`
	MasterName string        `yaml:"master_name"`
	Username   string        `yaml:"username"`
	Password   string        `yaml:"password"`
	DB         int           `yaml:"db"`
	KeyPrefix  string        `yaml:"key_prefix"` // default "gjjid:"
	TLS        bool          `yaml:"tls"`
	Timeout    time.Duration `yaml:"timeout"` // one request's total wait for Redis; default 2s
}

// Secrets are base64 (standard or URL, padded or not) 32-byte keys. Empty
// secrets are only allowed with the memory store (they are generated then).
type Secrets struct {
	KeyEncryptionKey string `yaml:"key_encryption_key"` // AES-256-GCM for signing keys at rest
	TokenKey         string `yaml:"token_key"`          // AES-256-GCM for authorization codes; the refresh tokens' MAC key derives from it
	Pepper           string `yaml:"pepper"`             // mixed into password hashes
	IDHashKey        string `yaml:"id_hash_key"`        // HMAC for ID number / mobile lookup, AES for sealed values
	CookieKey        string `yaml:"cookie_key"`         // HMAC for cookies and CSRF tokens
}

// Keys configures signing keys and their rotation.
type Keys struct {
	Algorithm      string        `yaml:"algorithm"`       // ES256 (default) | RS256 | EdDSA
	RotationPeriod time.Duration `yaml:"rotation_period"` // how long a key signs; default 720h
	PublishAhead   time.Duration `yaml:"publish_ahead"`   // a next key is in JWKS at least this long before it signs; default 24h
	CheckInterval  time.Duration `yaml:"check_interval"`  // how often instances reload/rotate; default 1m
}

// Tokens sets lifetimes.
type Tokens struct {
	AccessTokenLifetime  time.Duration `yaml:"access_token_lifetime"`  // default 15m
	IDTokenLifetime      time.Duration `yaml:"id_token_lifetime"`      // default 1h
	RefreshTokenLifetime time.Duration `yaml:"refresh_token_lifetime"` // default 720h
	CodeLifetime         time.Duration `yaml:"code_lifetime"`          // default 60s, at most 60s
	AuthRequestLifetime  time.Duration `yaml:"auth_request_lifetime"`  // default 10m
}

// Sessions configures the browser SSO session.
type Sessions struct {
	Lifetime     time.Duration `yaml:"lifetime"`      // default 8h
	CookieName   string        `yaml:"cookie_name"`   // default gjjid_session
	CookieSecure *bool         `yaml:"cookie_secure"` // default: true when the issuer is https
}

// Login configures the login pages.
type Login struct {
	DefaultLocale string `yaml:"default_locale"` // zh-CN (default) | en
	// IPRateLimit bounds login attempts per client IP per minute; default 30.
	IPRateLimit int `yaml:"ip_rate_limit"`
	// DemoSigner offers a development signer on the certificate page
	// (`gjjid dev` sets it); never in production.
	DemoSigner bool `yaml:"demo_signer"`
}

// Log configures slog.
type Log struct {
	Level  string `yaml:"level"`  // debug | info (default) | warn | error
	Format string `yaml:"format"` // json (default) | text
}

// Client is a relying party registered in the config file.
type Client struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Secret (plain, usually ${ENV}) or SecretHash (hex SHA-256) for
	// confidential clients; neither for public ones.
	Secret                 string        `yaml:"secret"`
	SecretHash             string        `yaml:"secret_hash"`
	Public                 bool          `yaml:"public"`           // public client: auth method none, PKCE required
	ApplicationType        string        `yaml:"application_type"` // web (default) | native
	AuthMethod             string        `yaml:"auth_method"`      // client_secret_basic (default) | client_secret_post | none
	RedirectURIs           []string      `yaml:"redirect_uris"`
	PostLogoutRedirectURIs []string      `yaml:"post_logout_redirect_uris"`
	GrantTypes             []string      `yaml:"grant_types"`            // default [authorization_code]
	Scopes                 []string      `yaml:"scopes"`                 // extra scopes it may request
	Connectors             []string      `yaml:"connectors"`             // allowed connector IDs; empty: all
	AccessTokenLifetime    time.Duration `yaml:"access_token_lifetime"`  // zero: tokens.access_token_lifetime
	IDTokenLifetime        time.Duration `yaml:"id_token_lifetime"`      // zero: tokens.id_token_lifetime
	RefreshTokenLifetime   time.Duration `yaml:"refresh_token_lifetime"` // zero: tokens.refresh_token_lifetime
	// IDTokenSignedResponseAlg signs the client's ID tokens: ES256 or
	// RS256; empty: the default key (keys.algorithm).
	IDTokenSignedResponseAlg string `yaml:"id_token_signed_response_alg"`
	// Logout URIs of OpenID Connect Back-Channel and Front-Channel Logout
	// 1.0; https, or http only on a loopback host.
	BackchannelLogoutURI              string `yaml:"backchannel_logout_uri"`
	BackchannelLogoutSessionRequired  bool   `yaml:"backchannel_logout_session_required"`
	FrontchannelLogoutURI             string `yaml:"frontchannel_logout_uri"`
	FrontchannelLogoutSessionRequired bool   `yaml:"frontchannel_logout_session_required"`
	// DPoPBoundAccessTokens: every token request must carry a DPoP proof
	// (RFC 9449 §5.2).
	DPoPBoundAccessTokens bool `yaml:"dpop_bound_access_tokens"`
	// RequirePushedAuthorizationRequests: authorization requests must
	// come through PAR (RFC 9126 §6).
	RequirePushedAuthorizationRequests bool `yaml:"require_pushed_authorization_requests"`
	// JWKS (a JSON Web Key Set as JSON text) or JWKSURI: the public keys
	// of a private_key_jwt client (auth_method private_key_jwt).
	JWKS    string `yaml:"jwks"`
	JWKSURI string `yaml:"jwks_uri"`
	// Profile "fapi2": the FAPI 2.0 Security Profile (README, FAPI 2.0).
	Profile string `yaml:"profile"`
	// TLSClientAuthSubjectDN or TLSClientAuthSANDNS: the certificate of a
	// tls_client_auth client (RFC 8705 §2.1.2).
	TLSClientAuthSubjectDN string `yaml:"tls_client_auth_subject_dn"`
	TLSClientAuthSANDNS    string `yaml:"tls_client_auth_san_dns"`
}

// Registration configures RFC 7591 dynamic client registration (POST
// /register) and RFC 7592 management of the clients it registered.
type Registration struct {
	Enabled bool `yaml:"enabled"` // default false
	// InitialAccessTokens are the bearer tokens (RFC 7591 §3) that may
	// register clients, 32 characters or more each, usually ${ENV}.
	InitialAccessTokens []string `yaml:"initial_access_tokens"`
}

// Connector is one login method; Config is decoded by the connector's
// factory (see connectors.Registry), which reports errors under
// "connectors[i].config". Config is kept as parsed, aliases and all, and
// never re-encoded: its aliases may name anchors anywhere in the file,
// which connectors/yamlconfig follows.
type Connector struct {
	ID     string    `yaml:"id"`
	Type   string    `yaml:"type"`
	Name   string    `yaml:"name"`    // label on the login page (zh-CN)
	NameEN string    `yaml:"name_en"` // English label; default: the connector's own
	Config yaml.Node `yaml:"config"`
}

// Seed creates demo or bootstrap accounts at start-up (idempotent).
type Seed struct {
	Units   []SeedUnit   `yaml:"units"`
	Persons []SeedPerson `yaml:"persons"`
}

// SeedUnit is a unit to create.
type SeedUnit struct {
	ID         string `yaml:"id"` // 统一社会信用代码
	CustomerNo string `yaml:"customer_no"`
	Name       string `yaml:"name"`
}

// SeedPerson is a person (agent) to create.
type SeedPerson struct {
	Name     string   `yaml:"name"`
	IDType   string   `yaml:"id_type"` // default 居民身份证 (resident_id)
	IDNumber string   `yaml:"id_number"`
	Mobile   string   `yaml:"mobile"`
	Password string   `yaml:"password"`
	Units    []string `yaml:"units"` // unit IDs this person is agent for
	Roles    []string `yaml:"roles"` // default [operator]
}
