package cas

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/upstream"
	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// Protocol versions.
const (
	Protocol3 = "3.0" // /p3/serviceValidate, with attributes
	Protocol2 = "2.0" // /serviceValidate, no attributes
)

// Config is the connector's `config:` block; see docs/connectors-provincial.md.
//
//	config:
//	  server: https://cas.example.gov.cn/cas  # login, validate and logout URLs below it
//	  protocol: "3.0"            # or "2.0": /serviceValidate without attributes
//	  login_url: ""              # override <server>/login
//	  validate_url: ""           # override <server>/p3/serviceValidate (or /serviceValidate)
//	  logout_url: ""             # override <server>/logout
//	  logout: true               # send the browser through CAS logout when the session ends
//	  single_logout: true        # accept CAS logoutRequest POSTs at the callback URL
//	  timeout: 10s
//	  claims: {subject: user, name: attributes.cn, …}
//	  user_types, id_types, levels, verified_values, acr, verified_acr, amr, link_policy
type Config struct {
	Server            string
	Protocol          string
	LoginURL          string
	ValidateURL       string
	LogoutURL         string
	Logout            bool
	SingleLogout      bool
	upstream.Settings // timeout, mapping
}

func defaultConfig() Config {
	return Config{Protocol: Protocol3, Logout: true, SingleLogout: true,
		Settings: upstream.DefaultSettings("user")}
}

func parseConfig(n *yaml.Node, path string) (Config, error) {
	c := defaultConfig()
	err := c.Settings.Decode(n, path, "a mapping with at least server", c.validate,
		yamlconfig.Str("server", &c.Server, "https://cas.example.gov.cn/cas"),
		yamlconfig.Str("protocol", &c.Protocol, `"3.0"`),
		yamlconfig.Str("login_url", &c.LoginURL, "https://cas.example.gov.cn/cas/login"),
		yamlconfig.Str("validate_url", &c.ValidateURL, "https://cas.example.gov.cn/cas/p3/serviceValidate"),
		yamlconfig.Str("logout_url", &c.LogoutURL, "https://cas.example.gov.cn/cas/logout"),
		yamlconfig.Bool("logout", &c.Logout),
		yamlconfig.Bool("single_logout", &c.SingleLogout),
	)
	return c, err
}

func (c *Config) validate(path string) error {
	var errs []error
	if c.Protocol != Protocol3 && c.Protocol != Protocol2 {
		errs = append(errs, fmt.Errorf("%s.protocol: must be \"3.0\" or \"2.0\", got %q", path, c.Protocol))
	}
	base := strings.TrimSuffix(c.Server, "/")
	if c.Server == "" {
		if c.LoginURL == "" || c.ValidateURL == "" {
			errs = append(errs, fmt.Errorf("%s.server: required (or both login_url and validate_url)", path))
		}
	} else if err := upstream.CheckURL(c.Server, false); err != nil {
		errs = append(errs, fmt.Errorf("%s.server: %w", path, err))
	}
	if c.LoginURL == "" && base != "" {
		c.LoginURL = base + "/login"
	}
	if c.ValidateURL == "" && base != "" {
		c.ValidateURL = base + "/p3/serviceValidate"
		if c.Protocol == Protocol2 {
			c.ValidateURL = base + "/serviceValidate"
		}
	}
	if c.LogoutURL == "" && base != "" {
		c.LogoutURL = base + "/logout"
	}
	for _, u := range []struct{ key, v string }{{"login_url", c.LoginURL}, {"validate_url", c.ValidateURL}, {"logout_url", c.LogoutURL}} {
		if u.v == "" {
			continue
		}
		if err := upstream.CheckURL(u.v, false); err != nil {
			errs = append(errs, fmt.Errorf("%s.%s: %w", path, u.key, err))
		}
	}
	if c.Protocol == Protocol2 && c.Mapping.Claims.Subject.String() != "user" && !c.Mapping.Claims.Subject.IsZero() &&
		strings.HasPrefix(c.Mapping.Claims.Subject.String(), "attributes") {
		errs = append(errs, fmt.Errorf("%s.claims.subject: CAS 2.0 answers carry no attributes; use user", path))
	}
	return errors.Join(errs...)
}
