package oidc

import (
	"errors"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/upstream"
	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// Client authentication methods at the upstream's token endpoint.
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
)

// Endpoints override what discovery says (or replace it with discovery:
// false) for platforms whose discovery document is wrong or missing.
type Endpoints struct {
	Authorization string
	Token         string
	UserInfo      string
	JWKS          string
	EndSession    string
}

// Config is the connector's `config:` block; see docs/connectors-provincial.md.
//
//	config:
//	  issuer: https://tyrz.example.gov.cn/oidc   # discovery at <issuer>/.well-known/openid-configuration
//	  client_id: gjj-portal
//	  client_secret: ${GJJID_PROVINCE_OIDC_SECRET}
//	  auth_method: client_secret_basic           # or client_secret_post
//	  scopes: [openid, profile]
//	  userinfo: false          # also read the userinfo endpoint
//	  acr_values: ""           # sent upstream when set
//	  logout: true             # RP-initiated logout upstream when the session ends
//	  discovery: true
//	  endpoints: {authorization: …, token: …, userinfo: …, jwks: …, end_session: …}
//	  signing_algs: [RS256, ES256]
//	  timeout: 10s
//	  claims: {subject: sub, name: name, id_number: …, level: acr, …}
//	  user_types, id_types, levels, verified_values, acr, verified_acr, amr, link_policy
type Config struct {
	Issuer            string
	ClientID          string
	ClientSecret      string
	AuthMethod        string
	Scopes            []string
	UserInfo          bool
	ACRValues         string
	Logout            bool
	Discovery         bool
	Endpoints         Endpoints
	SigningAlgs       []string
	upstream.Settings // timeout, mapping
}

// algorithms the connector accepts for ID tokens: asymmetric only
// (never none, never HMAC with the client secret).
var algorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func defaultConfig() Config {
	s := upstream.DefaultSettings("sub")
	s.Mapping.Claims.Name = upstream.MustPath("name")
	return Config{AuthMethod: AuthBasic, Scopes: []string{"openid", "profile"}, Logout: true, Discovery: true, Settings: s}
}

func parseConfig(n *yaml.Node, path string) (Config, error) {
	c := defaultConfig()
	e := &c.Endpoints
	err := c.Settings.Decode(n, path, "a mapping with at least issuer, client_id and client_secret", c.validate,
		yamlconfig.Str("issuer", &c.Issuer, "https://tyrz.example.gov.cn/oidc"),
		yamlconfig.Str("client_id", &c.ClientID, "gjj-portal"),
		yamlconfig.Str("client_secret", &c.ClientSecret, "${GJJID_OIDC_SECRET}"),
		yamlconfig.Str("auth_method", &c.AuthMethod, AuthBasic),
		yamlconfig.Strings("scopes", &c.Scopes, "[openid, profile]"),
		yamlconfig.Bool("userinfo", &c.UserInfo),
		yamlconfig.Str("acr_values", &c.ACRValues, "urn:example:loa:3"),
		yamlconfig.Bool("logout", &c.Logout),
		yamlconfig.Bool("discovery", &c.Discovery),
		yamlconfig.Nested("endpoints",
			yamlconfig.Str("authorization", &e.Authorization, "https://…/authorize"),
			yamlconfig.Str("token", &e.Token, "https://…/token"),
			yamlconfig.Str("userinfo", &e.UserInfo, "https://…/userinfo"),
			yamlconfig.Str("jwks", &e.JWKS, "https://…/jwks"),
			yamlconfig.Str("end_session", &e.EndSession, "https://…/logout"),
		),
		yamlconfig.Strings("signing_algs", &c.SigningAlgs, "[RS256, ES256]"),
	)
	return c, err
}

func (c *Config) validate(path string) error {
	var errs []error
	if c.Issuer == "" {
		errs = append(errs, fmt.Errorf("%s.issuer: required: the upstream's issuer URL (its ID tokens' iss)", path))
	} else if err := upstream.CheckURL(c.Issuer, false); err != nil {
		errs = append(errs, fmt.Errorf("%s.issuer: %w", path, err))
	}
	if err := upstream.NoSpace(path+".client_id", c.ClientID); err != nil {
		errs = append(errs, err)
	}
	if c.ClientSecret == "" {
		errs = append(errs, fmt.Errorf("%s.client_secret: required (from the environment: ${VAR})", path))
	}
	if c.AuthMethod != AuthBasic && c.AuthMethod != AuthPost {
		errs = append(errs, fmt.Errorf("%s.auth_method: must be %s or %s, got %q", path, AuthBasic, AuthPost, c.AuthMethod))
	}
	if !slices.Contains(c.Scopes, "openid") {
		c.Scopes = append([]string{"openid"}, c.Scopes...)
	}
	for i, s := range c.Scopes {
		if err := upstream.NoSpace(fmt.Sprintf("%s.scopes[%d]", path, i), s); err != nil {
			errs = append(errs, err)
		}
	}
	for _, e := range []struct{ key, v string }{
		{"authorization", c.Endpoints.Authorization}, {"token", c.Endpoints.Token}, {"userinfo", c.Endpoints.UserInfo},
		{"jwks", c.Endpoints.JWKS}, {"end_session", c.Endpoints.EndSession},
	} {
		kp := path + ".endpoints." + e.key
		switch {
		case e.v != "":
			if err := upstream.CheckURL(e.v, e.key == "authorization" || e.key == "end_session"); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", kp, err))
			}
		case !c.Discovery && (e.key == "authorization" || e.key == "token" || e.key == "jwks"):
			errs = append(errs, fmt.Errorf("%s: required with discovery: false", kp))
		}
	}
	if c.UserInfo && !c.Discovery && c.Endpoints.UserInfo == "" {
		errs = append(errs, fmt.Errorf("%s.endpoints.userinfo: required with userinfo: true and discovery: false", path))
	}
	for i, a := range c.SigningAlgs {
		if !slices.Contains(algorithms, a) {
			errs = append(errs, fmt.Errorf("%s.signing_algs[%d]: must be one of %v (never none or HS256), got %q", path, i, algorithms, a))
		}
	}
	return errors.Join(errs...)
}
