package oauth2

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/upstream"
)

// Where the client secret (token call) or access token (user-info call)
// goes.
const (
	InQuery  = "query"  // URL query string (Guangdong's token call)
	InForm   = "form"   // application/x-www-form-urlencoded body (POST)
	InBasic  = "basic"  // HTTP Basic authentication (secret only)
	InHeader = "header" // Authorization: Bearer (access token only)
)

// Call is one server-to-server call: its URL, method, static parameters
// and the JSON paths read from its answer.
type Call struct {
	URL    string
	Method string            // GET or POST
	Params map[string]string // static extra parameters
	// ErrorPath is the answer's error field; an answer where it holds a
	// value outside ErrorOK is a refusal.
	ErrorPath upstream.Path
	ErrorOK   []string
}

// Config is the connector's `config:` block; docs/connectors-provincial.md
// and config/example.yaml show a Guangdong-style platform.
type Config struct {
	AuthorizeURL    string
	AuthorizeParams map[string]string
	ClientID        string
	ClientSecret    string
	Scope           string // sent as scope when set ("" sends none)

	Token       Call
	SecretIn    string        // query | form | basic
	AccessToken upstream.Path // path of the access token in the token answer

	UserInfo   Call
	TokenIn    string // query | form | header
	TokenParam string // the access token's parameter name (query, form)
	Timeout    time.Duration
	Mapping    upstream.Mapping
}

func defaultConfig() Config {
	return Config{
		Token:       Call{Method: http.MethodPost, ErrorOK: []string{"0", ""}},
		SecretIn:    InForm,
		AccessToken: upstream.MustPath("access_token"),
		UserInfo:    Call{Method: http.MethodGet, ErrorOK: []string{"0", ""}},
		TokenIn:     InHeader,
		TokenParam:  "access_token",
		Timeout:     upstream.DefaultTimeout,
		Mapping:     upstream.DefaultMapping(""),
	}
}

func callFields(c *Call, example string, extra map[string]upstream.Field) upstream.Field {
	return func(v *yaml.Node, kp string) error {
		fields := map[string]upstream.Field{
			"url":      upstream.Str(&c.URL, example),
			"method":   upstream.Str(&c.Method, "GET"),
			"params":   upstream.StringMap(&c.Params, "{scope: all}"),
			"error":    upstream.PathField(&c.ErrorPath, "errcode"),
			"error_ok": upstream.Strings(&c.ErrorOK, `["0", ""]`),
		}
		for k, f := range extra {
			fields[k] = f
		}
		return errors.Join(upstream.Fields(v, kp, fields)...)
	}
}

func parseConfig(n *yaml.Node, path string) (Config, error) {
	c := defaultConfig()
	var policy string
	fields := c.Mapping.Fields(&policy)
	for k, f := range map[string]upstream.Field{
		"authorize_url":    upstream.Str(&c.AuthorizeURL, "https://tyrz.gd.gov.cn/tif/sso/connect/page/oauth2/authorize"),
		"authorize_params": upstream.StringMap(&c.AuthorizeParams, "{service: initService}"),
		"client_id":        upstream.Str(&c.ClientID, "gjj"),
		"client_secret":    upstream.Str(&c.ClientSecret, "${GJJID_GD_SECRET}"),
		"scope":            upstream.Str(&c.Scope, "all"),
		"token": callFields(&c.Token, "https://…/access_token", map[string]upstream.Field{
			"secret_in":    upstream.Str(&c.SecretIn, "query"),
			"access_token": upstream.PathField(&c.AccessToken, "access_token"),
		}),
		"userinfo": callFields(&c.UserInfo, "https://…/tokeninfo", map[string]upstream.Field{
			"token_in":    upstream.Str(&c.TokenIn, "query"),
			"token_param": upstream.Str(&c.TokenParam, "access_token"),
		}),
		"timeout": upstream.Duration(&c.Timeout, "10s"),
	} {
		fields[k] = f
	}
	if upstream.Resolve(n) == nil {
		return c, fmt.Errorf("%s: required: a mapping with authorize_url, client_id, client_secret, token, userinfo and claims", path)
	}
	errs := upstream.Fields(n, path, fields)
	if len(errs) == 1 && errors.Is(errs[0], upstream.ErrNotMapping) {
		return c, errs[0]
	}
	errs = append(errs, c.Mapping.Finish(path, policy), c.validate(path))
	return c, errors.Join(errs...)
}

// reserved are the parameters the connector sets itself.
var reserved = []string{"response_type", "client_id", "client_secret", "redirect_uri", "state", "code", "grant_type"}

func (c *Config) validate(path string) error {
	var errs []error
	url := func(kp, v string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s: required", kp))
		} else if err := upstream.CheckURL(v, false); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", kp, err))
		}
	}
	url(path+".authorize_url", c.AuthorizeURL)
	url(path+".token.url", c.Token.URL)
	url(path+".userinfo.url", c.UserInfo.URL)
	if err := upstream.NoSpace(path+".client_id", c.ClientID); err != nil {
		errs = append(errs, err)
	}
	if c.ClientSecret == "" {
		errs = append(errs, fmt.Errorf("%s.client_secret: required (from the environment: ${VAR})", path))
	}
	params := func(kp string, m map[string]string) {
		for k := range m {
			if slices.Contains(reserved, k) || (k == "scope" && c.Scope != "") || k == "" {
				errs = append(errs, fmt.Errorf("%s.%s: set by the connector; remove it", kp, k))
			}
		}
	}
	params(path+".authorize_params", c.AuthorizeParams)
	params(path+".token.params", c.Token.Params)
	params(path+".userinfo.params", c.UserInfo.Params)
	for _, call := range []struct {
		kp string
		c  *Call
	}{{path + ".token", &c.Token}, {path + ".userinfo", &c.UserInfo}} {
		call.c.Method = strings.ToUpper(call.c.Method)
		if call.c.Method != http.MethodGet && call.c.Method != http.MethodPost {
			errs = append(errs, fmt.Errorf("%s.method: must be GET or POST, got %q", call.kp, call.c.Method))
		}
	}
	switch c.SecretIn {
	case InQuery, InBasic:
	case InForm:
		if c.Token.Method != http.MethodPost {
			errs = append(errs, fmt.Errorf("%s.token.secret_in: form needs method POST", path))
		}
	default:
		errs = append(errs, fmt.Errorf("%s.token.secret_in: must be %s, %s or %s, got %q", path, InQuery, InForm, InBasic, c.SecretIn))
	}
	switch c.TokenIn {
	case InQuery, InHeader:
	case InForm:
		if c.UserInfo.Method != http.MethodPost {
			errs = append(errs, fmt.Errorf("%s.userinfo.token_in: form needs method POST", path))
		}
	default:
		errs = append(errs, fmt.Errorf("%s.userinfo.token_in: must be %s, %s or %s, got %q", path, InQuery, InForm, InHeader, c.TokenIn))
	}
	if c.TokenIn != InHeader {
		if err := upstream.NoSpace(path+".userinfo.token_param", c.TokenParam); err != nil {
			errs = append(errs, err)
		}
	}
	if c.AccessToken.IsZero() {
		errs = append(errs, fmt.Errorf("%s.token.access_token: required: the path of the access token in the token answer", path))
	}
	if c.Timeout < upstream.MinTimeout || c.Timeout > upstream.MaxTimeout {
		errs = append(errs, fmt.Errorf("%s.timeout: must be between %s and %s", path, upstream.MinTimeout, upstream.MaxTimeout))
	}
	return errors.Join(errs...)
}
