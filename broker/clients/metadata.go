// Package clients validates and manages client registrations: the one
// place the admin API (/admin/v1/clients) and RFC 7591/7592 dynamic
// registration go through, so both apply the same rules and store secrets
// the way the provider checks them.
package clients

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// Metadata is what a caller may write about a client. Empty fields take
// defaults (see Create). JSON names are RFC 7591's where it has one; the
// admin API uses this struct as is, while dynamic registration has its own
// wire form (scope as one space-separated string).
type Metadata struct {
	// ID is the client_id; generated (22 URL-safe characters) when empty.
	ID   string `json:"client_id,omitempty"`
	Name string `json:"client_name"`
	// ApplicationType is web (default) or native (RFC 8252 apps).
	ApplicationType string `json:"application_type,omitempty"`
	// AuthMethod is client_secret_basic (default for web),
	// client_secret_post, or none (public client; default for native).
	AuthMethod             string   `json:"token_endpoint_auth_method,omitempty"`
	RedirectURIs           []string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	// GrantTypes: authorization_code (default), refresh_token,
	// client_credentials. The response type is implied: code.
	GrantTypes []string `json:"grant_types,omitempty"`
	// Scopes the client may ask for beyond the standard OpenID ones.
	Scopes []string `json:"scopes,omitempty"`
	// Connectors offered to the client's users; empty: all.
	Connectors []string `json:"connectors,omitempty"`
	// IDTokenSignedResponseAlg is the algorithm of the client's ID tokens
	// (OpenID Connect Registration §2): ES256 or RS256; empty: the
	// broker's default key.
	IDTokenSignedResponseAlg string `json:"id_token_signed_response_alg,omitempty"`
	// BackchannelLogoutURI receives the broker's logout tokens (OpenID
	// Connect Back-Channel Logout 1.0 §2.2); with
	// BackchannelLogoutSessionRequired every token carries sid.
	BackchannelLogoutURI             string `json:"backchannel_logout_uri,omitempty"`
	BackchannelLogoutSessionRequired bool   `json:"backchannel_logout_session_required,omitempty"`
	// FrontchannelLogoutURI is loaded in an iframe when the user logs out
	// (OpenID Connect Front-Channel Logout 1.0 §2); with
	// FrontchannelLogoutSessionRequired it gets iss and sid.
	FrontchannelLogoutURI             string `json:"frontchannel_logout_uri,omitempty"`
	FrontchannelLogoutSessionRequired bool   `json:"frontchannel_logout_session_required,omitempty"`
	// DPoPBoundAccessTokens: every token request must carry a DPoP proof
	// (RFC 9449 §5.2).
	DPoPBoundAccessTokens bool `json:"dpop_bound_access_tokens,omitempty"`
	// RequirePushedAuthorizationRequests: authorization requests must come
	// through PAR (RFC 9126 §6).
	RequirePushedAuthorizationRequests bool `json:"require_pushed_authorization_requests,omitempty"`
	// JWKS (a JSON Web Key Set, as JSON text) or JWKSURI holds the public
	// keys a private_key_jwt client signs its assertions with.
	JWKS    string `json:"-"`
	JWKSURI string `json:"jwks_uri,omitempty"`
	// Profile "fapi2" holds the client to the FAPI 2.0 Security Profile.
	Profile string `json:"profile,omitempty"`
	// TLSClientAuthSubjectDN or TLSClientAuthSANDNS names a
	// tls_client_auth client's certificate (RFC 8705 §2.1.2).
	TLSClientAuthSubjectDN string `json:"tls_client_auth_subject_dn,omitempty"`
	TLSClientAuthSANDNS    string `json:"tls_client_auth_san_dns,omitempty"`
	// Lifetimes override the broker's (0: the broker's); they may shorten
	// them, never lengthen them. JSON: Go durations such as "10m".
	AccessTokenLifetime  time.Duration `json:"-"`
	IDTokenLifetime      time.Duration `json:"-"`
	RefreshTokenLifetime time.Duration `json:"-"`
}

// Lifetime field names, for JSON and for errors.
const (
	fieldAccessTokenLifetime  = "access_token_lifetime"
	fieldIDTokenLifetime      = "id_token_lifetime"
	fieldRefreshTokenLifetime = "refresh_token_lifetime"

	fieldIDTokenSignedResponseAlg = "id_token_signed_response_alg"
)

type metadataFields Metadata // Metadata without its JSON methods

type metadataJSON struct {
	*metadataFields
	AccessTokenLifetime  string `json:"access_token_lifetime,omitempty"`
	IDTokenLifetime      string `json:"id_token_lifetime,omitempty"`
	RefreshTokenLifetime string `json:"refresh_token_lifetime,omitempty"`
	// JWKS is the key set as a JSON object (RFC 7591 §2 jwks).
	JWKS json.RawMessage `json:"jwks,omitempty"`
}

// MarshalJSON writes lifetimes as Go durations ("10m0s"), as the
// configuration file does, instead of nanoseconds.
func (m Metadata) MarshalJSON() ([]byte, error) {
	j := metadataJSON{metadataFields: (*metadataFields)(&m)}
	if m.JWKS != "" {
		j.JWKS = json.RawMessage(m.JWKS)
	}
	for _, l := range []struct {
		d   time.Duration
		out *string
	}{{m.AccessTokenLifetime, &j.AccessTokenLifetime}, {m.IDTokenLifetime, &j.IDTokenLifetime}, {m.RefreshTokenLifetime, &j.RefreshTokenLifetime}} {
		if l.d != 0 {
			*l.out = l.d.String()
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads lifetimes as Go durations; a malformed one is a
// *FieldError naming it.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	j := metadataJSON{metadataFields: (*metadataFields)(m)}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if len(j.JWKS) > 0 && string(j.JWKS) != "null" {
		m.JWKS = string(j.JWKS)
	}
	for _, l := range []struct {
		field, in string
		out       *time.Duration
	}{
		{fieldAccessTokenLifetime, j.AccessTokenLifetime, &m.AccessTokenLifetime},
		{fieldIDTokenLifetime, j.IDTokenLifetime, &m.IDTokenLifetime},
		{fieldRefreshTokenLifetime, j.RefreshTokenLifetime, &m.RefreshTokenLifetime},
	} {
		if l.in == "" {
			continue
		}
		d, err := time.ParseDuration(l.in)
		if err != nil {
			return &FieldError{Field: l.field, Code: InvalidClientMetadata, Description: "must be a duration such as \"10m\" or \"8h\", got " + quote(l.in)}
		}
		*l.out = d
	}
	return nil
}

// MetadataOf is the writable part of a stored client (never its secrets),
// for answers to the admin API and RFC 7592 reads.
func MetadataOf(c *store.Client) Metadata {
	return Metadata{
		ID: c.ID, Name: c.Name, ApplicationType: c.ApplicationType, AuthMethod: c.AuthMethod,
		RedirectURIs: slices.Clone(c.RedirectURIs), PostLogoutRedirectURIs: slices.Clone(c.PostLogoutRedirectURIs),
		GrantTypes: slices.Clone(c.GrantTypes), Scopes: slices.Clone(c.Scopes), Connectors: slices.Clone(c.Connectors),
		AccessTokenLifetime: c.AccessTokenLifetime, IDTokenLifetime: c.IDTokenLifetime, RefreshTokenLifetime: c.RefreshTokenLifetime,
		IDTokenSignedResponseAlg: c.IDTokenSignedResponseAlg,
		BackchannelLogoutURI:     c.BackchannelLogoutURI, BackchannelLogoutSessionRequired: c.BackchannelLogoutSessionRequired,
		FrontchannelLogoutURI: c.FrontchannelLogoutURI, FrontchannelLogoutSessionRequired: c.FrontchannelLogoutSessionRequired,
		DPoPBoundAccessTokens: c.DPoPBoundAccessTokens, RequirePushedAuthorizationRequests: c.RequirePushedAuthorizationRequests,
		JWKS: c.JWKS, JWKSURI: c.JWKSURI, Profile: c.Profile,
		TLSClientAuthSubjectDN: c.TLSClientAuthSubjectDN, TLSClientAuthSANDNS: c.TLSClientAuthSANDNS,
	}
}

// Public reports whether the client has no secret (auth method none).
func (m Metadata) Public() bool { return m.AuthMethod == AuthNone }

// HasSecret reports whether the client authenticates with a secret.
func (m Metadata) HasSecret() bool { return m.AuthMethod == AuthBasic || m.AuthMethod == AuthPost }

// Auth methods at the token endpoint.
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
	AuthNone  = "none"
	// AuthPrivateKeyJWT: the client signs an assertion with a key of its
	// jwks or jwks_uri (RFC 7523 §2.2); it has no secret.
	AuthPrivateKeyJWT = "private_key_jwt"
	// AuthTLSClient and AuthSelfSignedTLSClient: the client presents a
	// certificate at the mTLS endpoints (RFC 8705 §2); no secret.
	AuthTLSClient           = "tls_client_auth"
	AuthSelfSignedTLSClient = "self_signed_tls_client_auth"
)

// Grant types a client may hold.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// Application types (OpenID Connect Registration §2).
const (
	AppWeb    = "web"
	AppNative = "native"
)

// standardScopes are always allowed (provider.standardScopes) and so are
// not kept among a client's extra scopes.
var standardScopes = []string{"openid", "profile", "phone", "offline_access"}

// normalized fills defaults, trims the name and drops duplicates and
// standard scopes, without judging anything: validate does that.
func (m Metadata) normalized() Metadata {
	m.Name = strings.TrimSpace(m.Name)
	if m.ApplicationType == "" {
		m.ApplicationType = AppWeb
	}
	if m.AuthMethod == "" {
		m.AuthMethod = AuthBasic
		if m.ApplicationType == AppNative {
			m.AuthMethod = AuthNone // RFC 8252 §8.5: an app cannot keep a secret
		}
	}
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{GrantAuthorizationCode} // RFC 7591 §2
	}
	m.RedirectURIs = dedupe(m.RedirectURIs)
	m.PostLogoutRedirectURIs = dedupe(m.PostLogoutRedirectURIs)
	m.GrantTypes = dedupe(m.GrantTypes)
	m.Scopes = slices.DeleteFunc(dedupe(m.Scopes), func(s string) bool { return slices.Contains(standardScopes, s) })
	m.Connectors = dedupe(m.Connectors)
	return m
}

// dedupe returns the distinct values in first-seen order (a new slice;
// nil for none).
func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// keyMethods authenticate without a secret: by a signed assertion or a
// certificate.
var keyMethods = []string{AuthPrivateKeyJWT, AuthTLSClient, AuthSelfSignedTLSClient}
