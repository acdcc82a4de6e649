package appscan

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// Defaults of Config.
const (
	// DefaultDeepLinkPrefix is upper case on purpose: a QR code whose text
	// is only 0-9, A-Z and " $%*+-./:" is written in alphanumeric mode
	// (5.5 bits a character instead of 8), so this prefix and a session ID
	// fit version 2 (25×25 modules) at level M. That symbol is easier to
	// scan off a screen, and drawing it costs go-qrcode about half of the
	// version 3 or 4 a lower-case gjjapp://qrlogin?id= needs. URI schemes
	// are case-insensitive (RFC 3986 §3.1); the app matches the prefix as
	// configured.
	DefaultDeepLinkPrefix     = "GJJAPP://QR/"
	DefaultLifetime           = 120 * time.Second
	DefaultPollTimeout        = 25 * time.Second
	DefaultMaxPolls           = 60
	DefaultIPCreateLimit      = 30
	DefaultRequestCreateLimit = 10
	DefaultAppRateLimit       = 60
	DefaultDeviceKeyLifetime  = 180 * 24 * time.Hour
	// DefaultACR is the highest assurance level a QR login reaches; the
	// login never gets more than the app session that confirmed it had.
	DefaultACR = "gjj:loa:2"
)

// Bounds of Config.
const (
	minLifetime          = time.Second
	maxLifetime          = 10 * time.Minute
	minPollTimeout       = time.Second
	maxPollTimeout       = 55 * time.Second // the server's write timeout is 60s
	maxMaxPolls          = 10000
	maxCreateLimit       = 100000
	minDeviceKeyLifetime = time.Hour
	maxDeviceKeyLifetime = 5 * 365 * 24 * time.Hour
	maxDeepLinkPrefix    = 200
)

// Config is the connector's `config:` block.
//
//	config:
//	  app_clients: [gjj-app]      # client IDs of the fund's app: only their access tokens may scan (required)
//	  deep_link_prefix: "GJJAPP://QR/"  # the QR code is this plus the session ID (upper case keeps it small)
//	  lifetime: 120s              # how long a QR code can be scanned and confirmed (1s–10m)
//	  poll_timeout: 25s           # how long a long poll waits for a change (1s–55s)
//	  max_polls: 60               # browser requests (polls, event streams) per QR code
//	  ip_create_limit: 30         # QR codes per client IP per minute
//	  request_create_limit: 10    # QR codes per authorization request
//	  app_rate_limit: 60          # app API calls per app user per minute
//	  acr: gjj:loa:2              # the most these logins reach; never more than the app session's acr
//	  require_device_signature: false  # scan, confirm and cancel must be signed with a registered device key
//	  device_key_lifetime: 4320h  # how long a registered device key stays valid
//	  dev_app_page: false         # /dev/app, a simulated app (gjjid dev only; never in production)
//	  dev_app_user: ""            # with dev_app_page: the login (mobile or ID number) the page acts as
type Config struct {
	AppClients             []string
	DeepLinkPrefix         string
	Lifetime               time.Duration
	PollTimeout            time.Duration
	MaxPolls               int
	IPCreateLimit          int
	RequestCreateLimit     int
	AppRateLimit           int
	ACR                    string
	RequireDeviceSignature bool
	DeviceKeyLifetime      time.Duration
	DevAppPage             bool
	DevAppUser             string
}

func defaultConfig() Config {
	return Config{DeepLinkPrefix: DefaultDeepLinkPrefix, Lifetime: DefaultLifetime, PollTimeout: DefaultPollTimeout,
		MaxPolls: DefaultMaxPolls, IPCreateLimit: DefaultIPCreateLimit, RequestCreateLimit: DefaultRequestCreateLimit,
		AppRateLimit: DefaultAppRateLimit, ACR: DefaultACR, DeviceKeyLifetime: DefaultDeviceKeyLifetime}
}

// parseConfig decodes n strictly (unknown and repeated keys are errors),
// applies defaults and validates. Every error names its YAML path below
// path; all of them are returned together.
func parseConfig(n *yaml.Node, path string) (Config, error) {
	cfg := defaultConfig()
	if yamlconfig.Resolve(n) == nil {
		return cfg, fmt.Errorf("%s.app_clients: required: the client IDs of the fund's app, e.g. [gjj-app]", path)
	}
	errs, ok := yamlconfig.Mapping(n, path,
		yamlconfig.Strings("app_clients", &cfg.AppClients, "[gjj-app]"),
		yamlconfig.Str("deep_link_prefix", &cfg.DeepLinkPrefix, DefaultDeepLinkPrefix),
		yamlconfig.Duration("lifetime", &cfg.Lifetime, "120s"),
		yamlconfig.Duration("poll_timeout", &cfg.PollTimeout, "25s"),
		yamlconfig.Whole("max_polls", &cfg.MaxPolls, "60"),
		yamlconfig.Whole("ip_create_limit", &cfg.IPCreateLimit, "30"),
		yamlconfig.Whole("request_create_limit", &cfg.RequestCreateLimit, "10"),
		yamlconfig.Whole("app_rate_limit", &cfg.AppRateLimit, "60"),
		yamlconfig.Str("acr", &cfg.ACR, DefaultACR),
		yamlconfig.Bool("require_device_signature", &cfg.RequireDeviceSignature),
		yamlconfig.Duration("device_key_lifetime", &cfg.DeviceKeyLifetime, "4320h"),
		yamlconfig.Bool("dev_app_page", &cfg.DevAppPage),
		yamlconfig.Str("dev_app_user", &cfg.DevAppUser, "13800138000"),
	)
	if !ok {
		return cfg, errors.Join(errs...)
	}
	// Fields that failed to decode kept their defaults, so validating now
	// reports only the values that were read.
	return cfg, errors.Join(append(errs, cfg.validate(path))...)
}

func (c Config) validate(path string) error {
	var errs []error
	if len(c.AppClients) == 0 {
		errs = append(errs, fmt.Errorf("%s.app_clients: required: the client IDs of the fund's app, e.g. [gjj-app]; "+
			"a token of any other client must not confirm logins", path))
	}
	for i, id := range c.AppClients {
		if id == "" || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' }) {
			errs = append(errs, fmt.Errorf("%s.app_clients[%d]: must be a client ID without spaces, got %q", path, i, id))
		}
	}
	if err := checkPrefix(c.DeepLinkPrefix); err != nil {
		errs = append(errs, fmt.Errorf("%s.deep_link_prefix: %w", path, err))
	}
	errs = append(errs,
		yamlconfig.CheckRange(path+".lifetime", c.Lifetime, minLifetime, maxLifetime, ": a QR code on screen that long invites relaying"),
		yamlconfig.CheckRange(path+".poll_timeout", c.PollTimeout, minPollTimeout, maxPollTimeout, " (the server's write timeout is 60s)"),
		yamlconfig.CheckRange(path+".max_polls", c.MaxPolls, 1, maxMaxPolls, ""),
		yamlconfig.CheckRange(path+".ip_create_limit", c.IPCreateLimit, 1, maxCreateLimit, ""),
		yamlconfig.CheckRange(path+".request_create_limit", c.RequestCreateLimit, 1, maxCreateLimit, ""),
		yamlconfig.CheckRange(path+".app_rate_limit", c.AppRateLimit, 1, maxCreateLimit, ""),
		yamlconfig.CheckRange(path+".device_key_lifetime", c.DeviceKeyLifetime, minDeviceKeyLifetime, maxDeviceKeyLifetime, ""),
		yamlconfig.CheckACR(path+".acr", c.ACR, DefaultACR),
	)
	switch {
	case c.DevAppPage && strings.TrimSpace(c.DevAppUser) == "":
		errs = append(errs, fmt.Errorf("%s.dev_app_user: required with dev_app_page: the login (mobile or ID number) the simulated app acts as", path))
	case !c.DevAppPage && c.DevAppUser != "":
		errs = append(errs, fmt.Errorf("%s.dev_app_user: only used with dev_app_page: true; remove it", path))
	}
	return errors.Join(errs...)
}

// checkPrefix accepts a deep link such as GJJAPP://QR/ or an https
// URL the app registered (universal link), to which the session ID is
// appended as it is.
func checkPrefix(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("must not be empty (default %s)", DefaultDeepLinkPrefix)
	case len(p) > maxDeepLinkPrefix:
		return fmt.Errorf("must be at most %d bytes: a longer QR code is harder to scan", maxDeepLinkPrefix)
	case strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return fmt.Errorf("must not contain spaces or control characters, got %q", p)
	}
	u, err := url.Parse(p + "ID")
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("must be a URL prefix with a scheme such as %s, got %q", DefaultDeepLinkPrefix, p)
	}
	if u.Scheme == "http" {
		return fmt.Errorf("must not be plain http: the QR code would send the app over an unencrypted link, got %q", p)
	}
	return nil
}
