package clients

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/config"
)

// RFC 7591 §3.2.2 error codes.
const (
	InvalidRedirectURI    = "invalid_redirect_uri"
	InvalidClientMetadata = "invalid_client_metadata"
)

// FieldError is one thing wrong with client metadata. Create and Update
// return every one found, joined (errors.Join); FieldErrors lists them and
// errors.As finds the first.
type FieldError struct {
	Field       string // JSON name, with the index of a list item: "redirect_uris[1]"
	Code        string // InvalidRedirectURI or InvalidClientMetadata
	Description string // what is wrong and how to fix it
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Description }

// FieldErrors returns every *FieldError in err (which may be joined).
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		var fe *FieldError
		switch u := err.(type) {
		case nil:
		case *FieldError:
			out = append(out, u)
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		default:
			if errors.As(err, &fe) {
				out = append(out, fe)
			}
		}
	}
	walk(err)
	return out
}

// ReservedScopes grant administrative access or personal data; only an
// administrator may give them to a client, never dynamic registration.
var ReservedScopes = []string{"gjjid:admin", "gjjid:counter", "gjjid:audit", provider.ScopeIDNumber}

// Limits on what a client may register.
const (
	maxNameRunes   = 100
	maxListItems   = 32
	maxURILength   = 2000
	minLifetime    = time.Minute
	defaultMaxLife = 24 * time.Hour       // access and ID tokens, when Options leave it open
	defaultMaxRT   = 365 * 24 * time.Hour // refresh tokens, likewise
)

var (
	idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	// The token-exchange grant (RFC 8693) lets a public or confidential
	// client redeem an upstream subject token (the WeChat mini program's
	// js_code) at the token endpoint. Dynamic registration may ask for it
	// too: it is inert unless a connector names the client (wechat
	// mini_program.client_ids), which only the configuration does.
	grantTypes = []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, provider.GrantTypeTokenExchange}
)

// problems collects field errors.
type problems []error

func (ps *problems) add(field, code, format string, args ...any) {
	*ps = append(*ps, &FieldError{Field: field, Code: code, Description: fmt.Sprintf(format, args...)})
}

func index(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// validate checks normalized metadata; admin says whether the caller is an
// administrator (who alone may grant reserved scopes).
func (s *Service) validate(m Metadata, admin bool) error {
	var ps problems
	if m.ID != "" && (!idPattern.MatchString(m.ID) || m.ID == "." || m.ID == "..") {
		// "." and ".." would be rewritten in registration_client_uri's path.
		ps.add("client_id", InvalidClientMetadata, "must be 1 to 64 letters, digits, '.', '_' or '-' (and not \".\" or \"..\"), got %s", quote(m.ID))
	}
	if m.ID == config.PagesClientID {
		// The pages' built-in client is served from memory before any
		// stored one: a stored client of this ID would never be used.
		ps.add("client_id", InvalidClientMetadata, "%s is reserved for the broker's own account pages", m.ID)
	}
	switch n := utf8.RuneCountInString(m.Name); {
	case n == 0:
		ps.add("client_name", InvalidClientMetadata, "required: the name users see on the login page")
	case n > maxNameRunes:
		ps.add("client_name", InvalidClientMetadata, "must be at most %d characters, got %d", maxNameRunes, n)
	case strings.ContainsFunc(m.Name, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }):
		ps.add("client_name", InvalidClientMetadata, "must not contain control or invisible characters")
	}
	if m.ApplicationType != AppWeb && m.ApplicationType != AppNative {
		ps.add("application_type", InvalidClientMetadata, "must be web or native, got %s", quote(m.ApplicationType))
	}
	if !slices.Contains([]string{AuthBasic, AuthPost, AuthPrivateKeyJWT, AuthTLSClient, AuthSelfSignedTLSClient, AuthNone}, m.AuthMethod) {
		ps.add("token_endpoint_auth_method", InvalidClientMetadata, "must be client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth, self_signed_tls_client_auth or none, got %s", quote(m.AuthMethod))
	}
	for _, p := range config.ValidateTLSClientAuth(m.AuthMethod, m.TLSClientAuthSubjectDN, m.TLSClientAuthSANDNS) {
		ps.add(p.Field, InvalidClientMetadata, "%s", p.Message)
	}
	for _, p := range config.ValidateClientKeys(m.AuthMethod, m.JWKS, m.JWKSURI) {
		ps.add(p.Field, InvalidClientMetadata, "%s", p.Message)
	}
	for _, p := range config.ValidateProfile(m.Profile, m.AuthMethod, m.IDTokenSignedResponseAlg, m.GrantTypes) {
		ps.add(p.Field, InvalidClientMetadata, "%s", p.Message)
	}
	validateGrants(m, &ps)
	validateURIs("redirect_uris", InvalidRedirectURI, m.RedirectURIs, m.ApplicationType, &ps)
	validateURIs("post_logout_redirect_uris", InvalidClientMetadata, m.PostLogoutRedirectURIs, m.ApplicationType, &ps)
	validateList("scopes", m.Scopes, &ps)
	for i, sc := range m.Scopes {
		switch {
		case !config.IsScopeToken(sc):
			ps.add(index("scopes", i), InvalidClientMetadata, "must be a scope token: printable ASCII without spaces, '\"' or '\\' (RFC 6749 §3.3), got %s", quote(sc))
		case slices.Contains(ReservedScopes, sc) && !admin:
			ps.add(index("scopes", i), InvalidClientMetadata, "%s is reserved: only an administrator may grant it", sc)
		}
	}
	validateList("connectors", m.Connectors, &ps)
	for i, c := range m.Connectors {
		if s.opts.Connectors != nil && !slices.Contains(s.opts.Connectors, c) {
			ps.add(index("connectors", i), InvalidClientMetadata, "unknown connector %s (configured: %s)", quote(c), strings.Join(s.opts.Connectors, ", "))
		}
	}
	s.validateLifetimes(m, &ps)
	validateIDTokenAlg(m.IDTokenSignedResponseAlg, &ps)
	validateLogoutURIs(m, &ps)
	return errors.Join(ps...)
}

// validateIDTokenAlg accepts the algorithms the broker keeps keys for.
func validateIDTokenAlg(alg string, ps *problems) {
	if alg == "" {
		return
	}
	var names []string
	for _, a := range provider.IDTokenAlgorithms {
		if string(a) == alg {
			return
		}
		names = append(names, string(a))
	}
	ps.add(fieldIDTokenSignedResponseAlg, InvalidClientMetadata, "must be %s, or empty for the broker's default; got %s", strings.Join(names, " or "), quote(alg))
}

func validateGrants(m Metadata, ps *problems) {
	validateList("grant_types", m.GrantTypes, ps)
	for i, g := range m.GrantTypes {
		switch {
		case !slices.Contains(grantTypes, g):
			ps.add(index("grant_types", i), InvalidClientMetadata, "must be authorization_code, refresh_token, client_credentials or %s, got %s", provider.GrantTypeTokenExchange, quote(g))
		case g == GrantClientCredentials && m.AuthMethod == AuthNone:
			ps.add(index("grant_types", i), InvalidClientMetadata, "client_credentials needs a confidential client: a public client (token_endpoint_auth_method none) has no secret to authenticate with")
		}
	}
	code := slices.Contains(m.GrantTypes, GrantAuthorizationCode)
	if code && len(m.RedirectURIs) == 0 {
		ps.add("redirect_uris", InvalidRedirectURI, "required for the authorization_code grant: at least one redirect URI")
	}
	if !code && slices.Contains(m.GrantTypes, GrantRefreshToken) {
		ps.add("grant_types", InvalidClientMetadata, "refresh_token needs authorization_code, the only grant that issues refresh tokens")
	}
}

func validateList(field string, l []string, ps *problems) {
	if len(l) > maxListItems {
		ps.add(field, InvalidClientMetadata, "at most %d entries, got %d", maxListItems, len(l))
	}
}

func (s *Service) validateLifetimes(m Metadata, ps *problems) {
	for _, l := range []struct {
		field  string
		d, max time.Duration
	}{
		{fieldAccessTokenLifetime, m.AccessTokenLifetime, s.opts.MaxAccessTokenLifetime},
		{fieldIDTokenLifetime, m.IDTokenLifetime, s.opts.MaxIDTokenLifetime},
		{fieldRefreshTokenLifetime, m.RefreshTokenLifetime, s.opts.MaxRefreshTokenLifetime},
	} {
		// Longer than the broker's own lifetime would outlive the retired
		// signing keys and revocation marks, which are kept for that long.
		if l.d != 0 && (l.d < minLifetime || l.d > l.max) {
			ps.add(l.field, InvalidClientMetadata, "must be 0 (the broker's default) or between %v and %v, got %v", minLifetime, l.max, l.d)
		}
	}
}

// quote shows a value in an error, shortened so a huge one cannot flood a
// response or log.
func quote(s string) string {
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return strconv.Quote(s)
}
