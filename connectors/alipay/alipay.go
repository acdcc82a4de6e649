// Package alipay is the login with Alipay (支付宝授权登录): the browser goes
// to publicAppAuthorize.htm, comes back with an auth_code, and the
// connector redeems it at the OpenAPI gateway (alipay.system.oauth.token,
// then alipay.user.info.share for auth_user logins), signing requests with
// RSA2 and verifying every reply over the raw bytes of its `…_response`
// member, in public-key or certificate mode (see
// docs/connectors-alipay-wechat.md#alipay).
//
// The identity is (app_id, open_id), or (app_id, user_id) for apps still
// on user IDs. It names no broker person, so the default link policy is
// self-bind: the first login proves the person once on the binding page.
package alipay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gjjid/gjjid/connectors"
)

// Type is the registry type of this connector.
const Type = "alipay"

// AMR is what these logins report (RFC 8176 §2): the user confirms in the
// Alipay app, on the phone, a channel apart from the login page.
const AMR = "mca"

var (
	_ connectors.SelfBinder    = (*Connector)(nil)
	_ connectors.RedirectLogin = (*Connector)(nil)
	_ connectors.Assurance     = (*Connector)(nil)
)

// Connector is an opened Alipay connector.
type Connector struct {
	connectors.Base   // ID, Type, DisplayName
	connectors.Policy // ACR, SelfBinds
	cfg               Config
	gw                *gateway
	log               connectors.Logger
}

var (
	// Open validates spec.Config (reading key and certificate files) and
	// opens the connector.
	Open = connectors.Configured(parseConfig, open)
	// Factory opens alipay connectors for the registry.
	Factory = connectors.FactoryOf(Open)
)

func open(spec connectors.Spec, deps connectors.Deps, cfg Config) (*Connector, error) {
	return &Connector{Base: connectors.NewBase(Type, spec, "支付宝登录", "Sign in with Alipay"), Policy: connectors.NewPolicy(cfg.ACR, cfg.LinkPolicy),
		cfg: cfg, gw: newGateway(cfg, deps.HTTPClient), log: deps.Log()}, nil
}

// LoginURL is the authorization page; redirect_uri must equal the
// 授权回调地址 registered for the app
// (docs/connectors-alipay-wechat.md#alipay-authorization-page).
func (c *Connector) LoginURL(_ context.Context, state, callbackURL string) (string, error) {
	q := url.Values{"app_id": {c.cfg.AppID}, "scope": {c.cfg.Scope}, "redirect_uri": {callbackURL}, "state": {state}}
	return c.cfg.AuthorizeURL + "?" + q.Encode(), nil
}

// HandleCallback redeems the auth_code the browser brought back (the
// broker has checked state). Every failure is a *connectors.LoginError;
// the gateway's sub_code goes to the log.
func (c *Connector) HandleCallback(ctx context.Context, r *http.Request) (connectors.Identity, error) {
	q := r.URL.Query()
	code := q.Get("auth_code") // not `code` (docs/connectors-alipay-wechat.md#alipay-authorization-page)
	if code == "" {
		c.log.InfoContext(ctx, "alipay login not authorised", "connector", c.ID())
		return connectors.Identity{}, loginError(CodeDenied, errors.New("alipay: callback without auth_code"))
	}
	if a := q.Get("app_id"); a != "" && a != c.cfg.AppID {
		return connectors.Identity{}, loginError(CodeInvalid, fmt.Errorf("alipay: callback for app %s, not %s", a, c.cfg.AppID))
	}
	tok, err := c.gw.token(ctx, code)
	if err != nil {
		return connectors.Identity{}, c.failed(ctx, MethodOAuthToken, err)
	}
	id := connectors.Identity{ConnectorID: c.ID(), Kind: connectors.KindPerson, AMR: []string{AMR}, ACR: c.cfg.ACR,
		LinkPolicy: c.cfg.LinkPolicy, Claims: map[string]any{"alipay_app_id": c.cfg.AppID}}
	userID := tok.UserID
	if userID == "" {
		userID = tok.AlipayUserID // older replies
	}
	switch {
	case tok.OpenID != "":
		id.Subject = c.cfg.AppID + ":" + tok.OpenID
	case userID != "":
		id.Subject = c.cfg.AppID + ":" + userID
	default:
		return connectors.Identity{}, loginError(CodeInvalid, errors.New("alipay: token reply names no open_id or user_id"))
	}
	for k, v := range map[string]string{"alipay_open_id": tok.OpenID, "alipay_user_id": userID, "alipay_union_id": tok.UnionID} {
		if v != "" {
			id.Claims[k] = v
		}
	}
	if c.cfg.Scope == ScopeUser {
		u, err := c.gw.userInfo(ctx, tok.AccessToken)
		switch {
		case err == nil:
			if (u.OpenID != "" && u.OpenID != tok.OpenID) || (u.UserID != "" && userID != "" && u.UserID != userID) {
				return connectors.Identity{}, loginError(CodeInvalid, errors.New("alipay: user info names another user than the token"))
			}
			id.Name = u.NickName
			if u.Avatar != "" {
				id.Claims["picture"] = u.Avatar
			}
		case errors.Is(err, ErrSignature):
			return connectors.Identity{}, c.failed(ctx, MethodUserInfo, err)
		default:
			// The profile is optional; the verified token reply already
			// named the user.
			c.log.WarnContext(ctx, "alipay user info unavailable; signing in without a profile", "connector", c.ID(), "err", err.Error())
		}
	}
	return id, nil
}

// failed logs a gateway failure (sub_code, never a key or token) and maps
// it to the user's message.
func (c *Connector) failed(ctx context.Context, method string, err error) error {
	var ge *GatewayError
	var uv *unverified
	switch {
	case errors.As(err, &ge):
		c.log.WarnContext(ctx, "alipay gateway refused", "connector", c.ID(), "method", method, "member", ge.Member, "code", ge.Code, "sub_code", ge.SubCode, "sub_msg", ge.SubMsg)
		switch {
		case strings.HasPrefix(ge.SubCode, "isv.code-") || strings.Contains(ge.SubCode, "refresh-token") || ge.SubCode == "isv.grant-type-invalid":
			return loginError(CodeExpired, err)
		case ge.Code == "20000" || ge.Code == "20001":
			return loginError(CodeUnavailable, err)
		case ge.Code == "":
			return loginError(CodeInvalid, err)
		}
		return loginError(CodeConfig, err)
	case errors.As(err, &uv):
		c.log.ErrorContext(ctx, "alipay reply failed verification", "connector", c.ID(), "method", method, "unverified_sub_code", uv.subCode, "err", err.Error())
		return loginError(CodeInvalid, err)
	case errors.Is(err, ErrSignature):
		c.log.ErrorContext(ctx, "alipay reply failed verification", "connector", c.ID(), "method", method, "err", err.Error())
		return loginError(CodeInvalid, err)
	}
	c.log.WarnContext(ctx, "alipay gateway unavailable", "connector", c.ID(), "method", method, "err", err.Error())
	return loginError(CodeUnavailable, err)
}
