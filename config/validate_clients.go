package config

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

var (
	authMethods = []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth", "none"}
	grantTypes  = []string{"authorization_code", "refresh_token", "client_credentials"}
	hexSHA256   = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// grantTokenExchange is RFC 8693's grant: a WeChat mini program exchanging
// its js_code (connectors/wechat).
const grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

// PagesClientID is the broker's own first-party client of its pages
// (/unit, /account, /admin). It lives in memory and is reserved: a
// configured client of that ID would never be served.
const PagesClientID = "gjjid-pages"

// validateClients checks every client; connectorIDs are the configured
// connectors a client may name.
func validateClients(clients []Client, connectorIDs []string, ps *Problems) {
	first := make(map[string]string) // client id -> path of its first use
	for i, c := range clients {
		path := index("clients", i)
		if c.ID != "" {
			if p, dup := first[c.ID]; dup {
				ps.add(key(path, "id"), "duplicate client id %q (also %s)", c.ID, p)
			} else {
				first[c.ID] = path
			}
		}
		c.validate(path, connectorIDs, ps)
	}
}

func (c Client) validate(path string, connectorIDs []string, ps *Problems) {
	switch {
	case c.ID == "":
		ps.add(key(path, "id"), "required")
	case c.ID == PagesClientID:
		ps.add(key(path, "id"), "%q is reserved for the broker's own pages; choose another id", c.ID)
	case strings.ContainsFunc(c.ID, func(r rune) bool { return r == ':' || unicode.IsSpace(r) || !unicode.IsPrint(r) }):
		// RFC 6749 §2.3.1: HTTP Basic splits client_id:client_secret on ':'.
		ps.add(key(path, "id"), "must not contain whitespace or ':', got %q", c.ID)
	}
	c.validateAuth(path, ps)
	oneOf(ps, key(path, "application_type"), c.ApplicationType, "web", "native")
	c.validateGrants(path, ps)
	for j, u := range c.RedirectURIs {
		validateRedirectURI(u, c.ApplicationType, index(key(path, "redirect_uris"), j), ps)
	}
	for j, u := range c.PostLogoutRedirectURIs {
		validateRedirectURI(u, c.ApplicationType, index(key(path, "post_logout_redirect_uris"), j), ps)
	}
	for j, s := range c.Scopes {
		if !IsScopeToken(s) {
			ps.add(index(key(path, "scopes"), j), "must be a scope token: printable ASCII without spaces, '\"' or '\\' (RFC 6749 §3.3), got %q", s)
		}
	}
	for j, id := range c.Connectors {
		if !slices.Contains(connectorIDs, id) {
			ps.add(index(key(path, "connectors"), j), "unknown connector %q (configured: %s)", id, strings.Join(connectorIDs, ", "))
		}
	}
	c.validateLogout(path, ps)
	if c.IDTokenSignedResponseAlg != "" {
		oneOf(ps, key(path, "id_token_signed_response_alg"), c.IDTokenSignedResponseAlg, "ES256", "RS256")
	}
	for _, l := range []struct {
		name string
		d    time.Duration
	}{
		{"access_token_lifetime", c.AccessTokenLifetime},
		{"id_token_lifetime", c.IDTokenLifetime},
		{"refresh_token_lifetime", c.RefreshTokenLifetime},
	} {
		if l.d < 0 {
			ps.add(key(path, l.name), "must not be negative (0 uses tokens.%s)", l.name)
		}
	}
}

// validateAuth checks how the client authenticates at the token endpoint.
func (c Client) validateAuth(path string, ps *Problems) {
	methodPath := key(path, "auth_method")
	if !slices.Contains(authMethods, c.AuthMethod) {
		oneOf(ps, methodPath, c.AuthMethod, authMethods...)
	} else if c.Public != (c.AuthMethod == "none") {
		if c.Public {
			ps.add(methodPath, "must be none for a public client")
		} else {
			ps.add(methodPath, "none is only for public clients (public: true)")
		}
	}
	if c.Public {
		// RFC 8252 §8.5: a secret shipped in an app is no secret.
		if c.Secret != "" {
			ps.add(key(path, "secret"), "must be empty for a public client, which cannot keep a secret")
		}
		if c.SecretHash != "" {
			ps.add(key(path, "secret_hash"), "must be empty for a public client, which cannot keep a secret")
		}
		return
	}
	for _, p := range ValidateClientKeys(c.AuthMethod, c.JWKS, c.JWKSURI) {
		ps.add(key(path, p.Field), "%s", p.Message)
	}
	for _, p := range ValidateProfile(c.Profile, c.AuthMethod, c.IDTokenSignedResponseAlg, c.GrantTypes) {
		ps.add(key(path, p.Field), "%s", p.Message)
	}
	for _, p := range ValidateTLSClientAuth(c.AuthMethod, c.TLSClientAuthSubjectDN, c.TLSClientAuthSANDNS) {
		ps.add(key(path, p.Field), "%s", p.Message)
	}
	if slices.Contains([]string{"private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"}, c.AuthMethod) {
		if c.Secret != "" || c.SecretHash != "" {
			ps.add(key(path, "secret"), "must be empty for a %s client, which proves itself with its keys", c.AuthMethod)
		}
		return
	}
	switch {
	case c.Secret != "" && c.SecretHash != "":
		ps.add(key(path, "secret"), "set secret or secret_hash, not both")
	case c.Secret == "" && c.SecretHash == "":
		ps.add(key(path, "secret"), "required for a confidential client: set secret (e.g. ${ENV}) or secret_hash, or set public: true")
	case c.SecretHash != "" && !hexSHA256.MatchString(c.SecretHash):
		ps.add(key(path, "secret_hash"), "must be 64 hex characters, the SHA-256 of the secret (printf %%s \"$SECRET\" | sha256sum)")
	}
}

// validateGrants checks grant_types against the client's kind and redirect URIs.
func (c Client) validateGrants(path string, ps *Problems) {
	gtPath := key(path, "grant_types")
	for j, g := range c.GrantTypes {
		switch {
		case !slices.Contains(grantTypes, g) && g != grantTokenExchange:
			oneOf(ps, index(gtPath, j), g, grantTypes...)
		case g == "client_credentials" && c.Public:
			ps.add(index(gtPath, j), "client_credentials is not allowed for a public client, which has no secret to authenticate with")
		}
	}
	code := slices.Contains(c.GrantTypes, "authorization_code")
	if code && len(c.RedirectURIs) == 0 {
		ps.add(key(path, "redirect_uris"), "required for the authorization_code grant: at least one redirect URI")
	}
	if !code && slices.Contains(c.GrantTypes, "refresh_token") {
		ps.add(gtPath, "refresh_token needs authorization_code, the only grant that issues refresh tokens")
	}
}

// IsScopeToken reports whether s is an RFC 6749 §3.3 scope-token. The
// admin API and dynamic registration (broker/clients) check scopes with it
// too, so a scope the file may hold is one they accept.
func IsScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
