package wechat

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// Defaults of Config.
const (
	DefaultOpenURL = "https://open.weixin.qq.com"
	DefaultAPIURL  = "https://api.weixin.qq.com"
	DefaultTimeout = 5 * time.Second
	DefaultACR     = "gjj:loa:1"

	// Face-login starts allowed in an hour (face_starts_per_hour).
	DefaultFaceStartsPerIP = 30
	DefaultFaceStartsPerID = 5
)

// Official-account scopes (docs/connectors-alipay-wechat.md#wechat-official-account);
// the website app always uses snsapi_login (#wechat-website-qr-login).
const (
	ScopeBase     = "snsapi_base"
	ScopeUserinfo = "snsapi_userinfo"
	ScopeLogin    = "snsapi_login"
)

const (
	minTimeout = time.Second
	maxTimeout = 30 * time.Second
)

// App is one WeChat application: its appid and AppSecret.
type App struct {
	ID     string
	Secret string
}

// Config is the connector's `config:` block. One connector holds all the
// fund's WeChat apps, so one person keyed on unionid is one link whichever
// app they use.
//
//	config:
//	  website:                 # 微信开放平台 网站应用: PC QR login
//	    app_id: wx0123456789abcdef
//	    app_secret: ${WECHAT_WEBSITE_SECRET}
//	  official_account:        # 公众号网页授权: inside the WeChat client
//	    app_id: wx1123456789abcdef
//	    app_secret: ${WECHAT_OA_SECRET}
//	    scope: snsapi_base     # or snsapi_userinfo
//	  mini_program:            # 小程序: RFC 8693 token exchange of js_code
//	    app_id: wx2123456789abcdef
//	    app_secret: ${WECHAT_MP_SECRET}
//	    client_ids: [gjj-miniprogram]
//	  require_unionid: false   # refuse logins without unionid
//	  open_url: https://open.weixin.qq.com
//	  api_url: https://api.weixin.qq.com
//	  timeout: 5s
//	  link_policy: self-bind
//	  acr: gjj:loa:1
//	  face_creates_persons: false  # a face login of an unknown ID number creates the person
//	  face_starts_per_hour: {per_ip: 30, per_id_number: 5}  # getverifyid is paid for: limit who starts
type Config struct {
	Website         *App
	OfficialAccount *App
	OAScope         string
	MiniProgram     *App
	MiniClients     []string
	RequireUnionID  bool
	OpenURL         string
	APIURL          string
	Timeout         time.Duration
	LinkPolicy      connectors.LinkPolicy
	ACR             string
	// FaceCreatesPersons lets a verified face login create the person of
	// an ID number the broker does not know; else it is refused.
	FaceCreatesPersons bool
	// FaceStartsPerIP and FaceStartsPerID cap face-login starts per
	// caller IP and per ID number in an hour: each start is a paid
	// getverifyid call and a try of a (name, ID number) pair.
	FaceStartsPerIP, FaceStartsPerID int
}

func parseConfig(n *yaml.Node, path string) (Config, error) {
	cfg := Config{OpenURL: DefaultOpenURL, APIURL: DefaultAPIURL, Timeout: DefaultTimeout, ACR: DefaultACR, OAScope: ScopeBase,
		FaceStartsPerIP: DefaultFaceStartsPerIP, FaceStartsPerID: DefaultFaceStartsPerID}
	var linkPolicy string
	if yamlconfig.Resolve(n) == nil {
		return cfg, fmt.Errorf("%s: required: at least one of website, official_account and mini_program", path)
	}
	// app is one application's mapping at key; absent, it stays nil.
	app := func(dst **App, key string, extra ...yamlconfig.Field) yamlconfig.Field {
		return yamlconfig.Func(key, func(v *yaml.Node, at string) error {
			a := &App{}
			*dst = a
			fields := append([]yamlconfig.Field{
				yamlconfig.Str("app_id", &a.ID, "wx0123456789abcdef"),
				yamlconfig.Str("app_secret", &a.Secret, "${WECHAT_SECRET}"),
			}, extra...)
			aerrs, _ := yamlconfig.Mapping(v, at, fields...)
			switch {
			case a.ID == "":
				aerrs = append(aerrs, fmt.Errorf("%s.app_id: required: the AppID (wx…) of this application", at))
			case !strings.HasPrefix(a.ID, "wx") || strings.ContainsFunc(a.ID, func(r rune) bool { return r <= ' ' || r > '~' }):
				aerrs = append(aerrs, fmt.Errorf("%s.app_id: must be a WeChat AppID such as wx0123456789abcdef, got %q", at, a.ID))
			}
			if strings.TrimSpace(a.Secret) == "" {
				aerrs = append(aerrs, fmt.Errorf("%s.app_secret: required: the AppSecret (usually ${ENV})", at))
			}
			return errors.Join(aerrs...)
		})
	}
	errs, ok := yamlconfig.Mapping(n, path,
		app(&cfg.Website, "website"),
		app(&cfg.OfficialAccount, "official_account", yamlconfig.Str("scope", &cfg.OAScope, ScopeBase)),
		app(&cfg.MiniProgram, "mini_program", yamlconfig.Strings("client_ids", &cfg.MiniClients, "[gjj-miniprogram]")),
		yamlconfig.Bool("require_unionid", &cfg.RequireUnionID),
		yamlconfig.Str("open_url", &cfg.OpenURL, DefaultOpenURL),
		yamlconfig.Str("api_url", &cfg.APIURL, DefaultAPIURL),
		yamlconfig.Duration("timeout", &cfg.Timeout, "5s"),
		yamlconfig.Str("link_policy", &linkPolicy, "self-bind"),
		yamlconfig.Str("acr", &cfg.ACR, DefaultACR),
		yamlconfig.Bool("face_creates_persons", &cfg.FaceCreatesPersons),
		yamlconfig.Nested("face_starts_per_hour",
			yamlconfig.Whole("per_ip", &cfg.FaceStartsPerIP, "30"),
			yamlconfig.Whole("per_id_number", &cfg.FaceStartsPerID, "5")),
	)
	if !ok {
		return cfg, errors.Join(errs...)
	}
	if cfg.Website == nil && cfg.OfficialAccount == nil && cfg.MiniProgram == nil {
		errs = append(errs, fmt.Errorf("%s: at least one of website, official_account and mini_program is required", path))
	}
	errs = append(errs,
		yamlconfig.CheckRange(path+".face_starts_per_hour.per_ip", cfg.FaceStartsPerIP, 1, 10000, ""),
		yamlconfig.CheckRange(path+".face_starts_per_hour.per_id_number", cfg.FaceStartsPerID, 1, 100, ": more tries would let a caller probe whose name goes with an ID number"))
	if cfg.OfficialAccount != nil && cfg.OAScope != ScopeBase && cfg.OAScope != ScopeUserinfo {
		errs = append(errs, fmt.Errorf("%s.official_account.scope: must be %s or %s, got %q", path, ScopeBase, ScopeUserinfo, cfg.OAScope))
	}
	if cfg.MiniProgram != nil && len(cfg.MiniClients) == 0 {
		errs = append(errs, fmt.Errorf("%s.mini_program.client_ids: required: the client IDs of the mini program (public clients with the token-exchange grant)", path))
	}
	if err := yamlconfig.CheckURL(cfg.OpenURL, false); err != nil {
		errs = append(errs, fmt.Errorf("%s.open_url: %w", path, err))
	}
	if err := yamlconfig.CheckURL(cfg.APIURL, false); err != nil {
		errs = append(errs, fmt.Errorf("%s.api_url: %w", path, err))
	}
	if err := yamlconfig.CheckRange(path+".timeout", cfg.Timeout, minTimeout, maxTimeout, ""); err != nil {
		errs = append(errs, err)
	}
	p, err := connectors.ParseLinkPolicy(linkPolicy, connectors.LinkSelfBind)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s.link_policy: %w", path, err))
	} else if p == connectors.LinkAuto {
		errs = append(errs, fmt.Errorf("%s.link_policy: auto is not possible: a WeChat ID names no broker person; use self-bind (default) or bound", path))
	}
	cfg.LinkPolicy = p
	if err := yamlconfig.CheckACR(path+".acr", cfg.ACR, DefaultACR); err != nil {
		errs = append(errs, err)
	}
	return cfg, errors.Join(errs...)
}
