package provider

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/store"
)

// Scopes the broker understands beyond the OIDC standard ones.
const (
	// ScopeIDNumber releases the full ID number; only to clients that list it.
	ScopeIDNumber = "gjj:id_number"
)

// standardScopes are always allowed (the library filters anything else
// through IsScopeAllowed).
var standardScopes = []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopePhone, oidc.ScopeOfflineAccess}

// client adapts a registered client to op.Client.
type client struct {
	c        *store.Client
	loginURL func(authRequestID string) string
	idTTL    time.Duration
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string                    { return c.c.ID }
func (c *client) RedirectURIs() []string           { return c.c.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.c.PostLogoutRedirectURIs }
func (c *client) LoginURL(id string) string        { return c.loginURL(id) }
func (c *client) AccessTokenType() op.AccessTokenType {
	// Self-contained JWTs: no store write per issued access token.
	return op.AccessTokenTypeJWT
}
func (c *client) DevMode() bool            { return false }
func (c *client) ClockSkew() time.Duration { return 0 }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *client) ApplicationType() op.ApplicationType {
	if c.c.ApplicationType == "native" {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c *client) AuthMethod() oidc.AuthMethod {
	switch c.c.AuthMethod {
	case "none":
		return oidc.AuthMethodNone
	case "client_secret_post":
		return oidc.AuthMethodPost
	default:
		// Also private_key_jwt: the broker verifies the assertion and
		// hands the library Basic credentials (clientassertion.go).
		return oidc.AuthMethodBasic
	}
}

func (c *client) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, 0, len(c.c.GrantTypes))
	for _, g := range c.c.GrantTypes {
		out = append(out, oidc.GrantType(g))
	}
	return out
}

func (c *client) IDTokenLifetime() time.Duration {
	if c.c.IDTokenLifetime > 0 {
		return c.c.IDTokenLifetime
	}
	return c.idTTL
}

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed keeps custom scopes the client was granted; the library
// silently drops the rest.
func (c *client) IsScopeAllowed(scope string) bool {
	return slices.Contains(standardScopes, scope) || slices.Contains(c.c.Scopes, scope)
}

// IDTokenUserinfoClaimsAssertion puts profile claims into the ID token even
// when an access token is issued, as Keycloak does by default: most business
// systems read the name from the ID token and never call userinfo.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
