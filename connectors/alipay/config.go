package alipay

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// Defaults of Config.
const (
	DefaultAuthorizeURL = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm"
	DefaultGatewayURL   = "https://openapi.alipay.com/gateway.do"
	DefaultScope        = ScopeUser
	DefaultTimeout      = 5 * time.Second
	// DefaultACR: Alipay accounts are real-name verified, but the broker
	// only learns an app-scoped ID; the same level as an SMS code.
	DefaultACR = "gjj:loa:1"
)

// Scopes of the authorization page
// (docs/connectors-alipay-wechat.md#alipay-authorization-page).
const (
	ScopeBase = "auth_base" // silent; the user ID only
	ScopeUser = "auth_user" // the user confirms once; alipay.user.info.share works
)

const (
	minTimeout = time.Second
	maxTimeout = 30 * time.Second
)

// Config is the connector's `config:` block.
//
//	config:
//	  app_id: "2021004100000001"
//	  private_key_file: /etc/gjjid/alipay/app_private_key.pem   # or private_key: ${ALIPAY_APP_PRIVATE_KEY}
//	  # public-key mode (公钥模式): the Alipay public key from the console
//	  alipay_public_key_file: /etc/gjjid/alipay/alipay_public_key.pem  # or alipay_public_key
//	  # certificate mode (公钥证书模式) instead: the three downloaded files
//	  app_cert_file: /etc/gjjid/alipay/appCertPublicKey_2021004100000001.crt
//	  alipay_cert_file: /etc/gjjid/alipay/alipayCertPublicKey_RSA2.crt
//	  alipay_root_cert_file: /etc/gjjid/alipay/alipayRootCert.crt
//	  scope: auth_user        # or auth_base
//	  authorize_url: https://openauth.alipay.com/oauth2/publicAppAuthorize.htm
//	  gateway_url: https://openapi.alipay.com/gateway.do
//	  timeout: 5s
//	  link_policy: self-bind
//	  acr: gjj:loa:1
type Config struct {
	AppID        string
	PrivateKey   *rsa.PrivateKey
	Mode         string // ModePublicKey or ModeCert
	AlipayKey    *rsa.PublicKey
	AppCertSN    string // cert mode
	AlipayCertSN string // cert mode: the SN replies must name
	RootCertSN   string // cert mode
	Scope        string
	AuthorizeURL string
	GatewayURL   string
	Timeout      time.Duration
	LinkPolicy   connectors.LinkPolicy
	ACR          string
}

// Key modes.
const (
	ModePublicKey = "public_key"
	ModeCert      = "cert"
)

// raw holds the strings as written.
type raw struct {
	appID, scope, authorizeURL, gatewayURL, linkPolicy, acr string
	pairs                                                   map[string]*[2]string // name → {inline, file}
	timeout                                                 time.Duration
}

// parseConfig decodes n strictly, applies defaults, reads the key files and
// validates; every error names its YAML path below path.
func parseConfig(n *yaml.Node, path string) (Config, error) {
	r := raw{scope: DefaultScope, authorizeURL: DefaultAuthorizeURL, gatewayURL: DefaultGatewayURL, acr: DefaultACR, timeout: DefaultTimeout,
		pairs: map[string]*[2]string{}}
	fields := []yamlconfig.Field{yamlconfig.Str("app_id", &r.appID, "2021004100000001")}
	for _, k := range []string{"private_key", "alipay_public_key", "app_cert", "alipay_cert", "alipay_root_cert"} {
		p := &[2]string{}
		r.pairs[k] = p
		fields = append(fields, yamlconfig.Str(k, &p[0], "${ALIPAY_…}"), yamlconfig.Str(k+"_file", &p[1], "/etc/gjjid/alipay/…"))
	}
	fields = append(fields,
		yamlconfig.Str("scope", &r.scope, ScopeUser),
		yamlconfig.Str("authorize_url", &r.authorizeURL, DefaultAuthorizeURL),
		yamlconfig.Str("gateway_url", &r.gatewayURL, DefaultGatewayURL),
		yamlconfig.Duration("timeout", &r.timeout, "5s"),
		yamlconfig.Str("link_policy", &r.linkPolicy, "self-bind"),
		yamlconfig.Str("acr", &r.acr, DefaultACR),
	)
	if yamlconfig.Resolve(n) == nil {
		return Config{}, fmt.Errorf("%s.app_id: required (and private_key or private_key_file, and the Alipay public key or certificates)", path)
	}
	errs, ok := yamlconfig.Mapping(n, path, fields...)
	if !ok {
		return Config{}, errors.Join(errs...)
	}
	cfg, verrs := r.build(path)
	return cfg, errors.Join(append(errs, verrs...)...)
}

// material returns the inline value or the file's content of key.
func (r raw) material(path, key string) (string, bool, error) {
	p := r.pairs[key]
	switch {
	case p[0] != "" && p[1] != "":
		return "", false, fmt.Errorf("%s.%s: set %s or %s_file, not both", path, key, key, key)
	case p[1] != "":
		b, err := os.ReadFile(p[1])
		if err != nil {
			return "", false, fmt.Errorf("%s.%s_file: %w", path, key, err)
		}
		return string(b), true, nil
	case p[0] != "":
		return p[0], true, nil
	}
	return "", false, nil
}

func (r raw) build(path string) (Config, []error) {
	var errs []error
	add := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: "+format, append([]any{path, key}, a...)...))
	}
	cfg := Config{AppID: strings.TrimSpace(r.appID), Scope: r.scope, AuthorizeURL: r.authorizeURL, GatewayURL: r.gatewayURL,
		Timeout: r.timeout, ACR: r.acr}
	switch {
	case cfg.AppID == "":
		add("app_id", "required: the application's APPID from open.alipay.com")
	case strings.ContainsFunc(cfg.AppID, func(c rune) bool { return c < '0' || c > '9' }):
		add("app_id", "must be the numeric APPID (e.g. 2021004100000001), got %q", cfg.AppID)
	}
	if s, ok, err := r.material(path, "private_key"); err != nil {
		errs = append(errs, err)
	} else if !ok {
		add("private_key", "required: the application private key (set private_key or private_key_file)")
	} else if k, err := ParsePrivateKey(s); err != nil {
		add("private_key", "%v", err) // never the key itself
	} else {
		cfg.PrivateKey = k
	}
	pub, hasPub, err := r.material(path, "alipay_public_key")
	if err != nil {
		errs = append(errs, err)
	}
	appCert, hasAppCert, err1 := r.material(path, "app_cert")
	aliCert, hasAliCert, err2 := r.material(path, "alipay_cert")
	root, hasRoot, err3 := r.material(path, "alipay_root_cert")
	for _, e := range []error{err1, err2, err3} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	certMode := hasAppCert || hasAliCert || hasRoot
	switch {
	case hasPub && certMode:
		add("alipay_public_key", "public-key mode and certificate mode exclude each other: set alipay_public_key or the three certificates (app_cert, alipay_cert, alipay_root_cert)")
	case hasPub:
		cfg.Mode = ModePublicKey
		if k, err := ParsePublicKey(pub); err != nil {
			add("alipay_public_key", "%v", err)
		} else {
			cfg.AlipayKey = k
		}
	case certMode:
		cfg.Mode = ModeCert
		if !hasAppCert {
			add("app_cert", "required in certificate mode: appCertPublicKey_<APPID>.crt (app_cert or app_cert_file)")
		} else if c, err := parseCert(appCert); err != nil {
			add("app_cert", "%v", err)
		} else {
			cfg.AppCertSN = CertSN(c)
			if pk, ok := c.PublicKey.(*rsa.PublicKey); ok && cfg.PrivateKey != nil && !pk.Equal(&cfg.PrivateKey.PublicKey) {
				add("app_cert", "does not certify the key in private_key (wrong certificate or wrong key)")
			}
		}
		if !hasAliCert {
			add("alipay_cert", "required in certificate mode: alipayCertPublicKey_RSA2.crt (alipay_cert or alipay_cert_file)")
		} else if c, err := parseCert(aliCert); err != nil {
			add("alipay_cert", "%v", err)
		} else if k, ok := c.PublicKey.(*rsa.PublicKey); !ok {
			add("alipay_cert", "must certify an RSA key, got %T", c.PublicKey)
		} else {
			cfg.AlipayKey, cfg.AlipayCertSN = k, CertSN(c)
		}
		if !hasRoot {
			add("alipay_root_cert", "required in certificate mode: alipayRootCert.crt (alipay_root_cert or alipay_root_cert_file)")
		} else if sn, err := RootCertSN(root); err != nil {
			add("alipay_root_cert", "%v", err)
		} else {
			cfg.RootCertSN = sn
		}
	default:
		add("alipay_public_key", "required: the Alipay public key (public-key mode), or app_cert, alipay_cert and alipay_root_cert (certificate mode)")
	}
	switch cfg.Scope {
	case ScopeBase, ScopeUser:
	default:
		add("scope", "must be %s or %s, got %q", ScopeUser, ScopeBase, cfg.Scope)
	}
	if err := yamlconfig.CheckURL(cfg.AuthorizeURL, false); err != nil {
		add("authorize_url", "%v", err)
	}
	if err := yamlconfig.CheckURL(cfg.GatewayURL, false); err != nil {
		add("gateway_url", "%v", err)
	}
	if err := yamlconfig.CheckRange(path+".timeout", cfg.Timeout, minTimeout, maxTimeout, ""); err != nil {
		errs = append(errs, err)
	}
	p, err := connectors.ParseLinkPolicy(r.linkPolicy, connectors.LinkSelfBind)
	if err != nil {
		add("link_policy", "%v", err)
	} else if p == connectors.LinkAuto {
		add("link_policy", "auto is not possible: an Alipay ID names no broker person; use self-bind (default) or bound")
	}
	cfg.LinkPolicy = p
	if err := yamlconfig.CheckACR(path+".acr", cfg.ACR, DefaultACR); err != nil {
		errs = append(errs, err)
	}
	return cfg, errs
}
