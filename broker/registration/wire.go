package registration

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/store"
)

// request is RFC 7591 §2 client metadata as a client sends it (and, for
// RFC 7592 §2.2 updates, its client_id and client_secret). Members the
// broker does not understand are ignored, as RFC 7591 §2 requires.
type request struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret"`
	ClientName              string   `json:"client_name"`
	ApplicationType         string   `json:"application_type"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	RedirectURIs            []string `json:"redirect_uris"`
	PostLogoutRedirectURIs  []string `json:"post_logout_redirect_uris"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	Scope                   string   `json:"scope"` // space-separated (RFC 7591 §2)
	// IDTokenSignedResponseAlg: OpenID Connect Registration §2.
	IDTokenSignedResponseAlg string `json:"id_token_signed_response_alg"`
	// DPoPBoundAccessTokens: RFC 9449 §5.2.
	DPoPBoundAccessTokens bool `json:"dpop_bound_access_tokens"`
	// RequirePushedAuthorizationRequests: RFC 9126 §6.
	RequirePushedAuthorizationRequests bool `json:"require_pushed_authorization_requests"`
	// JWKS or JWKSURI: a private_key_jwt client's keys (RFC 7591 §2).
	JWKS    json.RawMessage `json:"jwks"`
	JWKSURI string          `json:"jwks_uri"`
	// Profile "fapi2": the FAPI 2.0 Security Profile (a gjjid extension).
	Profile string `json:"profile"`
	// RFC 8705 §2.1.2.
	TLSClientAuthSubjectDN string `json:"tls_client_auth_subject_dn"`
	TLSClientAuthSANDNS    string `json:"tls_client_auth_san_dns"`
	logoutMetadata
}

// metadata converts the request to the shared form. response_types is not
// stored: the broker supports only code, implied by authorization_code.
func (r request) metadata() (clients.Metadata, error) {
	m := clients.Metadata{
		Name: r.ClientName, ApplicationType: r.ApplicationType, AuthMethod: r.TokenEndpointAuthMethod,
		RedirectURIs: r.RedirectURIs, PostLogoutRedirectURIs: r.PostLogoutRedirectURIs, GrantTypes: r.GrantTypes,
		Scopes: strings.Fields(r.Scope), IDTokenSignedResponseAlg: r.IDTokenSignedResponseAlg,
		DPoPBoundAccessTokens: r.DPoPBoundAccessTokens, RequirePushedAuthorizationRequests: r.RequirePushedAuthorizationRequests,
		JWKSURI: r.JWKSURI, Profile: r.Profile,
		TLSClientAuthSubjectDN: r.TLSClientAuthSubjectDN, TLSClientAuthSANDNS: r.TLSClientAuthSANDNS,
	}
	if len(r.JWKS) > 0 && string(r.JWKS) != "null" {
		m.JWKS = string(r.JWKS)
	}
	r.logoutMetadata.apply(&m)
	code := len(r.GrantTypes) == 0 || slices.Contains(r.GrantTypes, clients.GrantAuthorizationCode)
	for i, rt := range r.ResponseTypes {
		switch {
		case rt != "code":
			return m, &clients.FieldError{Field: "response_types[" + strconv.Itoa(i) + "]", Code: clients.InvalidClientMetadata,
				Description: "only code is supported (no implicit or hybrid flows)"}
		case !code:
			return m, &clients.FieldError{Field: "response_types", Code: clients.InvalidClientMetadata,
				Description: "code needs the authorization_code grant in grant_types (RFC 7591 §2.1)"}
		}
	}
	return m, nil
}

// response is RFC 7591 §3.2.1 client information, which RFC 7592 §3 reads
// and updates answer too.
type response struct {
	ClientID                string `json:"client_id"`
	ClientSecret            string `json:"client_secret,omitempty"` // only when just issued
	ClientIDIssuedAt        int64  `json:"client_id_issued_at"`
	ClientSecretExpiresAt   *int64 `json:"client_secret_expires_at,omitempty"` // 0 (never) for confidential clients
	RegistrationAccessToken string `json:"registration_access_token"`
	RegistrationClientURI   string `json:"registration_client_uri"`

	ClientName              string   `json:"client_name"`
	ApplicationType         string   `json:"application_type"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	RedirectURIs            []string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs  []string `json:"post_logout_redirect_uris,omitempty"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	Scope                   string   `json:"scope,omitempty"`
	// IDTokenSignedResponseAlg is the algorithm the client registered for
	// its ID tokens; absent when it registered none (the broker's default).
	IDTokenSignedResponseAlg           string          `json:"id_token_signed_response_alg,omitempty"`
	DPoPBoundAccessTokens              bool            `json:"dpop_bound_access_tokens,omitempty"`
	RequirePushedAuthorizationRequests bool            `json:"require_pushed_authorization_requests,omitempty"`
	JWKS                               json.RawMessage `json:"jwks,omitempty"`
	JWKSURI                            string          `json:"jwks_uri,omitempty"`
	Profile                            string          `json:"profile,omitempty"`
	TLSClientAuthSubjectDN             string          `json:"tls_client_auth_subject_dn,omitempty"`
	TLSClientAuthSANDNS                string          `json:"tls_client_auth_san_dns,omitempty"`
	logoutMetadata
}

// information answers about c. secret is a secret issued by this request
// (else ""), token the registration access token the client holds.
func information(c *store.Client, secret, token, uri string) response {
	r := response{
		ClientID: c.ID, ClientSecret: secret, ClientIDIssuedAt: c.CreatedAt.Unix(),
		RegistrationAccessToken: token, RegistrationClientURI: uri,
		ClientName: c.Name, ApplicationType: c.ApplicationType, TokenEndpointAuthMethod: c.AuthMethod,
		RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		GrantTypes: c.GrantTypes, ResponseTypes: []string{}, Scope: strings.Join(c.Scopes, " "),
		IDTokenSignedResponseAlg: c.IDTokenSignedResponseAlg, logoutMetadata: logoutMetadataOf(c),
		DPoPBoundAccessTokens: c.DPoPBoundAccessTokens, RequirePushedAuthorizationRequests: c.RequirePushedAuthorizationRequests,
		JWKSURI: c.JWKSURI, Profile: c.Profile,
		TLSClientAuthSubjectDN: c.TLSClientAuthSubjectDN, TLSClientAuthSANDNS: c.TLSClientAuthSANDNS,
	}
	if c.JWKS != "" {
		r.JWKS = json.RawMessage(c.JWKS)
	}
	if c.AuthMethod == clients.AuthBasic || c.AuthMethod == clients.AuthPost {
		never := int64(0)
		r.ClientSecretExpiresAt = &never
	}
	if slices.Contains(c.GrantTypes, clients.GrantAuthorizationCode) {
		r.ResponseTypes = []string{"code"}
	}
	return r
}

// auditView is what the audit trail keeps of a registration.
func auditView(c *store.Client) map[string]any {
	return map[string]any{"name": c.Name, "application_type": c.ApplicationType, "auth_method": c.AuthMethod,
		"redirect_uris": c.RedirectURIs, "grant_types": c.GrantTypes, "scopes": c.Scopes,
		"id_token_signed_response_alg": c.IDTokenSignedResponseAlg,
		"backchannel_logout_uri":       c.BackchannelLogoutURI, "frontchannel_logout_uri": c.FrontchannelLogoutURI,
		"dpop_bound_access_tokens": c.DPoPBoundAccessTokens, "require_pushed_authorization_requests": c.RequirePushedAuthorizationRequests}
}
