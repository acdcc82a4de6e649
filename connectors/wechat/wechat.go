// Package wechat is the login with WeChat (docs/connectors-alipay-wechat.md#wechat):
// website QR login (qrconnect, snsapi_login) in a PC browser,
// official-account web authorization (snsapi_base or snsapi_userinfo)
// inside the WeChat client, and the mini program, whose wx.login js_code
// the broker redeems in an RFC 8693 token exchange (jscode2session).
//
// The identity is the unionid when WeChat gives one (the same across the
// fund's apps bound to one Open Platform account), else (appid, openid).
// It names no broker person: the default link policy is self-bind.
// Errors are told apart by errcode only, never errmsg.
package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Type is the registry type of this connector.
const Type = "wechat"

// SubjectTokenType is the RFC 8693 subject_token_type of a mini program's
// js_code.
const SubjectTokenType = "urn:gjjid:params:token-type:wechat-js-code"

// AMR is what these logins report (RFC 8176 §2): the user confirms in the
// WeChat app, a channel apart from the login page.
const AMR = "mca"

var (
	_ connectors.SelfBinder           = (*Connector)(nil)
	_ connectors.RedirectLogin        = (*Connector)(nil)
	_ connectors.SubjectTokenExchange = (*Connector)(nil)
	_ connectors.Endpoints            = (*Connector)(nil)
	_ connectors.Assurance            = (*Connector)(nil)
)

// Connector is an opened WeChat connector.
type Connector struct {
	connectors.Base   // ID, Type, DisplayName
	connectors.Policy // ACR, SelfBinds
	cfg               Config
	api               *api
	log               connectors.Logger
	values            connectors.Values   // face logins between their steps (face.go); may be nil
	counters          connectors.Counters // face-login start limits (face.go); may be nil
	idKey             []byte              // keyed hash of ID numbers in counter names
	now               func() time.Time
}

var (
	// Open validates spec.Config and opens the connector.
	Open = connectors.Configured(parseConfig, open)
	// Factory opens wechat connectors for the registry.
	Factory = connectors.FactoryOf(Open)
)

func open(spec connectors.Spec, deps connectors.Deps, cfg Config) (*Connector, error) {
	a := newAPI(cfg, deps.HTTPClient)
	a.tokens.now = deps.Clock()
	return &Connector{Base: connectors.NewBase(Type, spec, "微信登录", "Sign in with WeChat"), Policy: connectors.NewPolicy(cfg.ACR, cfg.LinkPolicy),
		cfg: cfg, api: a, log: deps.Log(), values: deps.Values, counters: deps.Counters, idKey: deps.Secrets.IDHashKey, now: deps.Clock()}, nil
}

// Which app brought the browser back: a parameter of our own redirect_uri
// (WeChat appends code and state to it).
const (
	appParam   = "wx"
	appWebsite = "web"
	appOA      = "oa"
)

// inWeChat: the WeChat client's browser says MicroMessenger.
func inWeChat(ua string) bool { return strings.Contains(ua, "MicroMessenger") }

// LoginURL sends a PC browser to the website QR page
// (docs/connectors-alipay-wechat.md#wechat-website-qr-login) and the WeChat
// client's browser to official-account authorization
// (#wechat-official-account), whichever of the two is configured when only
// one is.
func (c *Connector) LoginURL(ctx context.Context, state, callbackURL string) (string, error) {
	useOA := c.cfg.OfficialAccount != nil && (c.cfg.Website == nil || inWeChat(connectors.UserAgent(ctx)))
	app, tag, path, scope := c.cfg.Website, appWebsite, "/connect/qrconnect", ScopeLogin
	if useOA {
		app, tag, path, scope = c.cfg.OfficialAccount, appOA, "/connect/oauth2/authorize", c.cfg.OAScope
	}
	if app == nil {
		return "", errors.New("wechat: neither website nor official_account is configured: this connector only serves the mini program")
	}
	back, err := url.Parse(callbackURL)
	if err != nil {
		return "", fmt.Errorf("wechat: callback URL: %w", err)
	}
	bq := back.Query()
	bq.Set(appParam, tag)
	back.RawQuery = bq.Encode()
	// Parameter order as documented: appid, redirect_uri, response_type,
	// scope, state (url.Values sorts them that way).
	q := url.Values{"appid": {app.ID}, "redirect_uri": {back.String()}, "response_type": {"code"}, "scope": {scope}, "state": {state}}
	return strings.TrimSuffix(c.cfg.OpenURL, "/") + path + "?" + q.Encode() + "#wechat_redirect", nil
}

// HandleCallback redeems the code (the broker has checked state).
func (c *Connector) HandleCallback(ctx context.Context, r *http.Request) (connectors.Identity, error) {
	q := r.URL.Query()
	app, scope := c.cfg.Website, ScopeLogin
	if q.Get(appParam) == appOA {
		app, scope = c.cfg.OfficialAccount, c.cfg.OAScope
	}
	if app == nil {
		return connectors.Identity{}, loginError(CodeConfig, fmt.Errorf("wechat: callback for an app that is not configured (%s)", q.Get(appParam)))
	}
	code := q.Get("code")
	if code == "" {
		c.log.InfoContext(ctx, "wechat login refused by the user", "connector", c.ID(), "app", app.ID)
		return connectors.Identity{}, loginError(CodeDenied, errors.New("wechat: callback without code"))
	}
	tok, err := c.api.token(ctx, app, code)
	if err != nil {
		return connectors.Identity{}, c.failed(ctx, app, PathAccessToken, err)
	}
	if tok.IsSnapshotUser == 1 {
		return connectors.Identity{}, loginError(CodeSnapshot, errors.New("wechat: snapshot-page user (virtual openid)"))
	}
	if tok.Scope != "" {
		scope = tok.Scope // what the user granted
	}
	unionID, name, picture := tok.UnionID, "", ""
	if strings.Contains(scope, ScopeUserinfo) || strings.Contains(scope, ScopeLogin) {
		u, err := c.userinfo(ctx, app, tok)
		switch {
		case err == nil:
			if unionID == "" {
				unionID = u.UnionID
			}
			name, picture = u.Nickname, u.HeadImgURL
		default:
			// The profile is optional
			// (docs/connectors-alipay-wechat.md#wechat-user-info): sign in with the IDs.
			c.log.WarnContext(ctx, "wechat userinfo unavailable; signing in without a profile", "connector", c.ID(), "app", app.ID, "errcode", codeOf(err), "err", err.Error())
		}
	}
	id, err := c.identity(ctx, app, tok.OpenID, unionID)
	if err != nil {
		return id, err
	}
	id.Name = name
	if picture != "" {
		id.Claims["picture"] = picture
	}
	return id, nil
}

// userinfo reads the profile, refreshing an access token WeChat calls
// expired once.
func (c *Connector) userinfo(ctx context.Context, app *App, tok TokenReply) (UserinfoReply, error) {
	u, err := c.api.userinfo(ctx, tok.AccessToken, tok.OpenID)
	if n := codeOf(err); (n == ErrTokenExpired || n == ErrInvalidToken) && tok.RefreshToken != "" {
		fresh, rerr := c.api.refresh(ctx, app, tok.RefreshToken)
		if rerr != nil {
			return u, rerr
		}
		return c.api.userinfo(ctx, fresh.AccessToken, tok.OpenID)
	}
	return u, err
}

// identity keys the user on unionid, else (appid, openid)
// (docs/connectors-alipay-wechat.md#wechat-identity-keys).
func (c *Connector) identity(ctx context.Context, app *App, openID, unionID string) (connectors.Identity, error) {
	if unionID == "" && c.cfg.RequireUnionID {
		c.log.WarnContext(ctx, "wechat login without unionid refused (require_unionid)", "connector", c.ID(), "app", app.ID)
		return connectors.Identity{}, loginError(CodeNoUnionID, fmt.Errorf("wechat: app %s gave no unionid: bind it to the Open Platform account", app.ID))
	}
	id := connectors.Identity{ConnectorID: c.ID(), Kind: connectors.KindPerson, AMR: []string{AMR}, ACR: c.cfg.ACR, LinkPolicy: c.cfg.LinkPolicy,
		Claims: map[string]any{"wechat_app_id": app.ID, "wechat_openid": openID}}
	if unionID != "" {
		id.Subject = unionID
		id.Claims["wechat_unionid"] = unionID
	} else {
		id.Subject = app.ID + ":" + openID
	}
	return id, nil
}

// SubjectTokenTypes is the js_code's type when a mini program is
// configured.
func (c *Connector) SubjectTokenTypes() []string {
	if c.cfg.MiniProgram == nil {
		return nil
	}
	if c.values != nil {
		return []string{SubjectTokenType, FaceTokenType}
	}
	return []string{SubjectTokenType}
}

// AcceptsSubjectToken: js_codes of the configured mini program, from its
// clients.
func (c *Connector) AcceptsSubjectToken(tokenType, clientID string) bool {
	return (tokenType == SubjectTokenType || (tokenType == FaceTokenType && c.values != nil)) &&
		c.cfg.MiniProgram != nil && slices.Contains(c.cfg.MiniClients, clientID)
}

// ExchangeSubjectToken redeems a mini program's js_code with jscode2session
// (docs/connectors-alipay-wechat.md#wechat-mini-program). The session_key stays
// here: it is neither kept nor logged.
func (c *Connector) ExchangeSubjectToken(ctx context.Context, clientID, tokenType, jsCode string) (connectors.Identity, error) {
	if !c.AcceptsSubjectToken(tokenType, clientID) {
		return connectors.Identity{}, loginError(CodeNotServed, fmt.Errorf("wechat: client %s may not exchange %s", clientID, tokenType))
	}
	if tokenType == FaceTokenType {
		handle, code, ok := finishFaceToken(jsCode)
		if !ok {
			return connectors.Identity{}, faceError(CodeFaceInvalid, errors.New("wechat: face subject_token is not <handle>.<js_code>"))
		}
		return c.FinishFace(ctx, clientID, handle, code)
	}
	app := c.cfg.MiniProgram
	if jsCode == "" || len(jsCode) > 512 {
		return connectors.Identity{}, loginError(CodeExpired, errors.New("wechat: malformed js_code"))
	}
	s, err := c.api.session(ctx, app, jsCode)
	if err != nil {
		return connectors.Identity{}, c.failed(ctx, app, PathJSCode, err)
	}
	id, err := c.identity(ctx, app, s.OpenID, s.UnionID)
	if err != nil {
		return id, err
	}
	id.AMR = []string{AMR}
	return id, nil
}

// failed logs an API failure (errcode, never the secret or a token) and
// maps it to the user's message.
func (c *Connector) failed(ctx context.Context, app *App, path string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		c.log.WarnContext(ctx, "wechat API refused", "connector", c.ID(), "app", app.ID, "path", path, "errcode", ae.Code, "errmsg", ae.Message)
	} else {
		c.log.WarnContext(ctx, "wechat API unavailable", "connector", c.ID(), "app", app.ID, "path", path, "err", err.Error())
	}
	return apiFailure(err)
}
