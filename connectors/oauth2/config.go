package oauth2

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/upstream"
	"github.com/gjjid/gjjid/connectors/yamlconfig"
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

	UserInfo          Call
	TokenIn           string // query | form | header
	TokenParam        string // the access token's parameter name (query, form)
	upstream.Settings        // timeout, mapping
}

func defaultConfig() Config {
	return Config{
		Token:       Call{Method: http.MethodPost, ErrorOK: []string{"0", ""}},
		SecretIn:    InForm,
		AccessToken: upstream.MustPath("access_token"),
		UserInfo:    Call{Method: http.MethodGet, ErrorOK: []string{"0", ""}},
		TokenIn:     InHeader,
		TokenParam:  "access_token",
		Settings:    upstream.DefaultSettings(""),
	}
}

// call is the mapping of one server-to-server call at key: the keys
// every call has, and extra.
func call(key string, c *Call, example string, extra ...yamlconfig.Field) yamlconfig.Field {
	return yamlconfig.Nested(key, append([]yamlconfig.Field{
		yamlconfig.Str("url", &c.URL, example),
		yamlconfig.Str("method", &c.Method, "GET"),
		yamlconfig.StringMap("params", &c.Params, "{scope: all}"),
		upstream.PathField("error", &c.ErrorPath, "errcode"),
		yamlconfig.Strings("error_ok", &c.ErrorOK, `["0", ""]`),
	}, extra...)...)
}

func parseConfig(n *yaml.Node, path string) (Config, error) {
	c := defaultConfig()
	err := c.Settings.Decode(n, path, "a mapping with authorize_url, client_id, client_secret, token, userinfo and claims", c.validate,
		yamlconfig.Str("authorize_url", &c.AuthorizeURL, "https://tyrz.gd.gov.cn/tif/sso/connect/page/oauth2/authorize"),
		yamlconfig.StringMap("authorize_params", &c.AuthorizeParams, "{service: initService}"),
		yamlconfig.Str("client_id", &c.ClientID, "gjj"),
		yamlconfig.Str("client_secret", &c.ClientSecret, "${GJJID_GD_SECRET}"),
		yamlconfig.Str("scope", &c.Scope, "all"),
		call("token", &c.Token, "https://…/access_token",
			yamlconfig.Str("secret_in", &c.SecretIn, "query"),
			upstream.PathField("access_token", &c.AccessToken, "access_token"),
		),
		call("userinfo", &c.UserInfo, "https://…/tokeninfo",
			yamlconfig.Str("token_in", &c.TokenIn, "query"),
			yamlconfig.Str("token_param", &c.TokenParam, "access_token"),
		),
	)
	return c, err
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
	return errors.Join(errs...)
}
