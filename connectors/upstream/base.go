package upstream

import (
	"cmp"
	"net/http"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
)

// Base is what an opened oidc, cas or oauth2 connector holds besides its
// own configuration: the spec's ID and names (connectors.Base), the
// level and link policy its mapping declares, the broker's services and
// the capped client of its upstream calls. A connector embeds it, so
// ID, Type, DisplayName, ACR and SelfBinds are written once, here.
type Base struct {
	connectors.Base
	connectors.Policy // the mapping's DeclaredACR and link policy
	// Values keep a login's upstream state (nonce, PKCE verifier, service
	// or callback URL) while the browser is away.
	Values connectors.Values
	Log    connectors.Logger
	Client *http.Client
}

// The button label of an upstream connector whose spec names none, unless
// its Kind gives one of its own.
const (
	LabelZH = "统一身份认证平台登录"
	LabelEN = "Sign in with the provincial identity platform"
)

// config is a connector's Config: it embeds Settings.
type config interface{ settings() Settings }

// Kind is one upstream connector type (C its config, K its opened
// connector): what Open needs to know of it.
type Kind[C config, K any] struct {
	Type                 string
	DefaultZH, DefaultEN string // the button label when the spec names none ("": LabelZH, LabelEN)
	MaxBody              int64  // cap of an upstream answer (NewHTTPClient; 0: MaxBody)
	Parse                func(n *yaml.Node, path string) (C, error)
	// New makes the connector of its Base and config.
	New func(Base, C, connectors.Deps) K
}

// Open is the opening every oidc, cas and oauth2 connector shares: parse
// its config (so a config error is reported first), open its Base with
// the configured timeout (OpenBase) and the mapping's level and link
// policy, and make the connector of both.
func (k Kind[C, K]) Open(spec connectors.Spec, deps connectors.Deps) (K, error) {
	return connectors.Configured(k.Parse, k.open)(spec, deps)
}

func (k Kind[C, K]) open(spec connectors.Spec, deps connectors.Deps, cfg C) (K, error) {
	var none K
	zh, en, maxBody := cmp.Or(k.DefaultZH, LabelZH), cmp.Or(k.DefaultEN, LabelEN), cmp.Or(k.MaxBody, MaxBody)
	set := cfg.settings()
	b, err := OpenBase(connectors.NewBase(k.Type, spec, zh, en), deps, set.Timeout, maxBody)
	if err != nil {
		return none, err
	}
	b.Policy = connectors.NewPolicy(set.Mapping.DeclaredACR(), set.Mapping.LinkPolicy)
	return k.New(b, cfg, deps), nil
}

// OpenBase checks that the host gave the connector Values and builds the
// upstream client (NewHTTPClient) over the host's transport. A connector
// opens it after parsing its config: a config error is reported first, and
// the client needs the configured timeout.
func OpenBase(named connectors.Base, deps connectors.Deps, timeout time.Duration, maxBody int64) (Base, error) {
	if err := deps.Require(named.Type(), named.ID(), connectors.NeedValues); err != nil {
		return Base{}, err
	}
	return Base{Base: named, Values: deps.Values, Log: deps.Log(), Client: NewHTTPClient(deps.Transport(), timeout, maxBody)}, nil
}

// A connector embedding Base has these capabilities through it.
var (
	_ connectors.Connector  = Base{}
	_ connectors.SelfBinder = Base{}
	_ connectors.Assurance  = Base{}
)
