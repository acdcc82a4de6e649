package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Validate checks a configuration whose defaults have been applied (Parse
// and Load do both) and returns every problem found as Problems, or nil.
// Connector configs are not checked here: each connector's factory checks
// its own.
func (c *Config) Validate() error {
	var ps Problems
	validateIssuer(c.Issuer, &ps)
	c.Listen.validate(&ps)
	c.Store.validate(&ps)
	c.Secrets.validate(c.Store.Type, &ps)
	c.Keys.validate(&ps)
	c.Tokens.validate(&ps)
	c.Sessions.validate(&ps)
	c.Logout.validate(&ps)
	c.DPoP.validate(&ps)
	c.PAR.validate(&ps)
	c.Login.validate(&ps)
	c.Pages.validate(&ps)
	c.Staff.validate(&ps)
	c.Log.validate(&ps)
	c.Tracing.validate(&ps)
	positive(&ps, "audit.retention", c.Audit.Retention)
	connectorIDs := validateConnectors(c.Connectors, &ps)
	validateClients(c.Clients, connectorIDs, &ps)
	c.TLSClientAuth.validate(c.Clients, &ps)
	for i, cl := range c.Clients {
		if cl.Profile == ProfileFAPI2 && c.Keys.Algorithm == "RS256" {
			// FAPI 2.0 §5.4.1: PS256, ES256 or EdDSA; access tokens are
			// signed with the active key.
			ps.add(fmt.Sprintf("clients[%d].profile", i), "fapi2 tokens may not be RS256-signed, and keys.algorithm is RS256: use ES256 or EdDSA")
		}
	}
	c.Registration.validate(&ps)
	if c.Seed != nil {
		c.Seed.validate(&ps)
	}
	return ps.err()
}

// validateIssuer applies OpenID Connect Discovery 1.0 §3: the issuer is an
// https URL with no query or fragment. It must not end in "/", since
// discovery appends "/.well-known/openid-configuration" and RPs compare
// `iss` byte for byte. Plain http is allowed on loopback for development.
func validateIssuer(issuer string, ps *Problems) {
	const path = "issuer"
	if issuer == "" {
		ps.add(path, "required: the broker's public URL, e.g. https://sso.gjj.example.cn")
		return
	}
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		ps.add(path, "must be an absolute http(s) URL, e.g. https://sso.gjj.example.cn")
		return
	}
	if u.User != nil {
		ps.add(path, "must not contain user info")
	}
	if u.RawQuery != "" || u.ForceQuery {
		ps.add(path, "must not have a query")
	}
	if strings.Contains(issuer, "#") {
		ps.add(path, "must not have a fragment")
	}
	if strings.HasSuffix(u.Path, "/") {
		ps.add(path, "must not end with a slash")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		ps.add(path, "must use https (http is allowed only for 127.0.0.1, [::1] or localhost)")
	}
}

func (l Listen) validate(ps *Problems) {
	if _, _, err := net.SplitHostPort(l.Addr); err != nil {
		ps.add("listen.addr", "must be host:port, e.g. 127.0.0.1:5556 or :5556")
	}
	switch {
	case l.TLSCertFile != "" && l.TLSKeyFile == "":
		ps.add("listen.tls_key_file", "required with tls_cert_file")
	case l.TLSCertFile == "" && l.TLSKeyFile != "":
		ps.add("listen.tls_cert_file", "required with tls_key_file")
	}
	for i, p := range l.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			ps.add(index("listen.trusted_proxies", i), "must be a CIDR such as 10.0.0.0/8 or 192.0.2.10/32, got %q", p)
		}
	}
	positive(ps, "listen.shutdown_timeout", l.ShutdownTimeout)
	l.validateCertificates(ps)
}

func (l Listen) validateCertificates(ps *Problems) {
	m := l.MTLS
	if m.Addr != "" {
		if _, _, err := net.SplitHostPort(m.Addr); err != nil {
			ps.add("listen.mtls.addr", "must be host:port, e.g. :5443")
		}
		if m.TLSCertFile == "" || m.TLSKeyFile == "" {
			ps.add("listen.mtls.tls_cert_file", "the mTLS listener needs tls_cert_file and tls_key_file (its server certificate)")
		}
	}
	if m.URL != "" && !strings.HasPrefix(m.URL, "https://") {
		ps.add("listen.mtls.url", "must be an https URL")
	}
	for i, p := range l.ClientCert.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			ps.add(index("listen.client_cert.trusted_proxies", i), "must be a CIDR such as 10.0.0.5/32, got %q", p)
		}
	}
}

func (s Store) validate(ps *Problems) {
	s.Database.validate(s.Type, ps)
	r := s.Redis
	configured := r.URL != "" || len(r.Addrs) > 0
	switch s.Type {
	case "memory":
		if configured {
			ps.add("store.type", "is memory but store.redis is configured; set type: redis to use it (the memory store is not shared between instances)")
		}
		return
	case "redis":
	default:
		oneOf(ps, "store.type", s.Type, "memory", "redis")
		return
	}
	switch {
	case r.URL != "" && len(r.Addrs) > 0:
		ps.add("store.redis", "set url (one server) or addrs (cluster or Sentinel), not both")
	case !configured:
		ps.add("store.redis", "required with store.type redis: set url (one server) or addrs (cluster or Sentinel)")
	}
	if r.MasterName != "" && len(r.Addrs) == 0 {
		ps.add("store.redis.master_name", "requires addrs (the Sentinel addresses)")
	}
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			ps.add("store.redis.url", "must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0")
		}
	}
	for i, a := range r.Addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			ps.add(index("store.redis.addrs", i), "must be host:port, got %q", a)
		}
	}
	switch {
	case r.DB < 0:
		ps.add("store.redis.db", "must not be negative")
	case r.DB != 0 && len(r.Addrs) > 1 && r.MasterName == "":
		// go-redis's UniversalClient opens a cluster client here, which ignores DB.
		ps.add("store.redis.db", "must be 0 with a Redis cluster (several addrs, no master_name)")
	}
	positive(ps, "store.redis.timeout", r.Timeout)
}

func (k Keys) validate(ps *Problems) {
	oneOf(ps, "keys.algorithm", k.Algorithm, "ES256", "RS256", "EdDSA")
	positive(ps, "keys.rotation_period", k.RotationPeriod)
	positive(ps, "keys.publish_ahead", k.PublishAhead)
	positive(ps, "keys.check_interval", k.CheckInterval)
	if k.PublishAhead > 0 && k.PublishAhead >= k.RotationPeriod {
		ps.add("keys.publish_ahead", "must be shorter than rotation_period (%v)", k.RotationPeriod)
	}
	// Instances learn of a new key only when they reload the set, so it must
	// be published for longer than one reload interval before it signs.
	if k.CheckInterval > 0 && k.CheckInterval >= k.PublishAhead {
		ps.add("keys.check_interval", "must be shorter than publish_ahead (%v)", k.PublishAhead)
	}
}

func (t Tokens) validate(ps *Problems) {
	positive(ps, "tokens.access_token_lifetime", t.AccessTokenLifetime)
	positive(ps, "tokens.id_token_lifetime", t.IDTokenLifetime)
	positive(ps, "tokens.refresh_token_lifetime", t.RefreshTokenLifetime)
	positive(ps, "tokens.code_lifetime", t.CodeLifetime)
	positive(ps, "tokens.auth_request_lifetime", t.AuthRequestLifetime)
	if t.CodeLifetime > time.Minute {
		ps.add("tokens.code_lifetime", "must be at most 60s (a code is redeemed at once; a short life limits a leaked one)")
	}
	if t.RefreshTokenLifetime > 0 && t.RefreshTokenLifetime < t.AccessTokenLifetime {
		ps.add("tokens.refresh_token_lifetime", "must be at least access_token_lifetime (%v)", t.AccessTokenLifetime)
	}
}

func (s Sessions) validate(ps *Problems) {
	positive(ps, "sessions.lifetime", s.Lifetime)
	if !isToken(s.CookieName) {
		ps.add("sessions.cookie_name", "must be a cookie name (letters, digits, '-', '_' and no spaces), got %q", s.CookieName)
	}
}

func (l Login) validate(ps *Problems) {
	oneOf(ps, "login.default_locale", l.DefaultLocale, "zh-CN", "en")
	if l.IPRateLimit < 1 {
		ps.add("login.ip_rate_limit", "must be at least 1 (login attempts per IP per minute)")
	}
}

func (l Log) validate(ps *Problems) {
	oneOf(ps, "log.level", l.Level, "debug", "info", "warn", "error")
	oneOf(ps, "log.format", l.Format, "json", "text")
}

// minInitialAccessToken is the shortest initial access token accepted: 32
// characters of `openssl rand -base64 32` output carry about 190 bits.
const minInitialAccessToken = 32

func (r Registration) validate(ps *Problems) {
	const path = "registration.initial_access_tokens"
	if r.Enabled && len(r.InitialAccessTokens) == 0 {
		ps.add(path, "required with registration.enabled: at least one token for POST /register (generate with openssl rand -base64 32, pass as ${ENV})")
	}
	seen := make(map[string]bool)
	for i, t := range r.InitialAccessTokens {
		switch {
		case len(t) < minInitialAccessToken:
			ps.add(index(path, i), "must be at least %d characters (openssl rand -base64 32), got %d", minInitialAccessToken, len(t))
		case !isB64Token(t):
			ps.add(index(path, i), "must be a bearer token (RFC 6750 §2.1): letters, digits and - . _ ~ + / followed by optional =")
		case seen[t]:
			ps.add(index(path, i), "duplicate token")
		}
		seen[t] = true
	}
}

// isB64Token reports whether s is an RFC 6750 §2.1 b64token, which is what
// a client can send in "Authorization: Bearer".
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, c := range body {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~+/", c)
		if !ok {
			return false
		}
	}
	return true
}

// oneOf adds a problem unless v is one of allowed.
func oneOf(ps *Problems, path, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		ps.add(path, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
	}
}

// positive adds a problem unless d > 0.
func positive(ps *Problems, path string, d time.Duration) {
	if d <= 0 {
		ps.add(path, "must be a positive duration, got %v", d)
	}
}

// positiveUpTo adds a problem unless 0 < d <= limit; why, when set, is the
// reason for the limit, in parentheses after it.
func positiveUpTo(ps *Problems, path string, d, limit time.Duration, why string) {
	positive(ps, path, d)
	if d > limit {
		if why != "" {
			why = " (" + why + ")"
		}
		ps.add(path, "must be at most %v%s, got %v", limit, why, d)
	}
}

// isLoopback reports whether host (without brackets or port) is a loopback
// IP literal or "localhost".
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// isToken reports whether s is a non-empty RFC 9110 §5.6.2 token, which is
// what a cookie name must be (RFC 6265 §4.1.1).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.ContainsRune("!#$%&'*+-.^_`|~", c)
		if !ok {
			return false
		}
	}
	return true
}
