package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gjjid/gjjid/connectors/redact"
)

// maxBody caps an API reply; real ones are well under 2 KiB.
const maxBody = 64 << 10

// API paths (docs/connectors-alipay-wechat.md#wechat).
const (
	PathAccessToken  = "/sns/oauth2/access_token"
	PathRefreshToken = "/sns/oauth2/refresh_token"
	PathUserinfo     = "/sns/userinfo"
	PathJSCode       = "/sns/jscode2session"
)

// Error codes the connector tells apart (docs/connectors-alipay-wechat.md#wechat-errors).
const (
	ErrSystem          = -1
	ErrInvalidCred     = 40001
	ErrInvalidOpenID   = 40003
	ErrInvalidAppID    = 40013
	ErrInvalidToken    = 40014
	ErrInvalidCode     = 40029
	ErrInvalidRefresh  = 40030
	ErrInvalidSecret   = 40125
	ErrCodeUsed        = 40163
	ErrCodeBlocked     = 40226
	ErrTokenExpired    = 42001
	ErrRefreshExpired  = 42002
	ErrCodeExpired     = 42003
	ErrAPIUnauthorized = 48001
	ErrRateLimited     = 45011
)

// APIError is a reply with a non-zero errcode. Only Code is compared:
// errmsg carries suffixes such as ", rid: …". Message is errmsg with
// every secret of the request removed: safe to log.
type APIError struct {
	Path    string
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wechat: %s: errcode %d (%s)", e.Path, e.Code, e.Message)
}

// TokenReply is sns/oauth2/access_token's (and refresh_token's) success.
type TokenReply struct {
	AccessToken    string `json:"access_token"`
	ExpiresIn      int64  `json:"expires_in"`
	RefreshToken   string `json:"refresh_token"`
	OpenID         string `json:"openid"`
	Scope          string `json:"scope"`
	UnionID        string `json:"unionid"`
	IsSnapshotUser int    `json:"is_snapshotuser"`
}

// UserinfoReply is sns/userinfo's success; all but the IDs are optional.
type UserinfoReply struct {
	OpenID     string `json:"openid"`
	Nickname   string `json:"nickname"`
	HeadImgURL string `json:"headimgurl"`
	UnionID    string `json:"unionid"`
}

// SessionReply is jscode2session's success (no errcode field at all).
type SessionReply struct {
	OpenID     string `json:"openid"`
	UnionID    string `json:"unionid"`
	SessionKey string `json:"session_key"` // never leaves the server, never logged
}

type api struct {
	base    string
	timeout time.Duration
	client  *http.Client
	tokens  appTokens // the mini program's access_token (face_api.go)
}

func newAPI(cfg Config, client *http.Client) *api {
	if client == nil {
		client = &http.Client{}
	}
	c := *client
	// The API never redirects; following one would carry the AppSecret
	// in the query string to another host.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &api{base: strings.TrimSuffix(cfg.APIURL, "/"), timeout: cfg.Timeout, client: &c, tokens: appTokens{now: time.Now}}
}

// secretParams are the query parameters whose values must never reach a
// log: errmsg may quote the request.
var secretParams = []string{"secret", "code", "js_code", "refresh_token", "access_token", "openid"}

// get calls path with q and decodes a success into out. The body is read
// whatever its Content-Type (the sns endpoints label JSON text/plain).
// Error texts have every secret of q removed (package redact).
func (a *api) get(ctx context.Context, path string, q url.Values, out any) error {
	var sent redact.Sent
	for _, k := range secretParams {
		sent.Add(q[k]...)
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return fmt.Errorf("wechat: %s: %w", path, err)
	}
	return a.do(req, path, &sent, out)
}

// do sends req and decodes a success into out; sent holds the secrets
// its error texts must not show.
func (a *api) do(req *http.Request, path string, sent *redact.Sent, out any) error {
	resp, err := a.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL holds the AppSecret
		}
		return fmt.Errorf("wechat: %s: %w", path, sent.Wrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, _ := url.Parse(resp.Header.Get("Location"))
		host := "?"
		if loc != nil && loc.Host != "" {
			host = loc.Host
		}
		return fmt.Errorf("wechat: %s: redirect (HTTP %d to %s) refused", path, resp.StatusCode, host)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("wechat: %s: read reply: %w", path, err)
	}
	if len(body) > maxBody {
		return fmt.Errorf("wechat: %s: reply larger than %d bytes refused", path, maxBody)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wechat: %s: HTTP %d", path, resp.StatusCode)
	}
	var e struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("wechat: %s: reply is not JSON: %w", path, err)
	}
	if e.ErrCode != nil && *e.ErrCode != 0 {
		return &APIError{Path: path, Code: *e.ErrCode, Message: sent.Text(e.ErrMsg)}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("wechat: %s: malformed reply: %w", path, err)
	}
	return nil
}

func (a *api) token(ctx context.Context, app *App, code string) (TokenReply, error) {
	var t TokenReply
	err := a.get(ctx, PathAccessToken, url.Values{"appid": {app.ID}, "secret": {app.Secret}, "code": {code}, "grant_type": {"authorization_code"}}, &t)
	if err == nil && (t.AccessToken == "" || t.OpenID == "") {
		err = fmt.Errorf("wechat: %s: reply without access_token or openid", PathAccessToken)
	}
	return t, err
}

func (a *api) refresh(ctx context.Context, app *App, refreshToken string) (TokenReply, error) {
	var t TokenReply
	err := a.get(ctx, PathRefreshToken, url.Values{"appid": {app.ID}, "grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}, &t)
	if err == nil && t.AccessToken == "" {
		err = fmt.Errorf("wechat: %s: reply without access_token", PathRefreshToken)
	}
	return t, err
}

func (a *api) userinfo(ctx context.Context, accessToken, openID string) (UserinfoReply, error) {
	var u UserinfoReply
	err := a.get(ctx, PathUserinfo, url.Values{"access_token": {accessToken}, "openid": {openID}, "lang": {"zh_CN"}}, &u)
	if err == nil && u.OpenID != openID {
		err = fmt.Errorf("wechat: %s: reply for another openid", PathUserinfo)
	}
	return u, err
}

func (a *api) session(ctx context.Context, app *App, jsCode string) (SessionReply, error) {
	var s SessionReply
	err := a.get(ctx, PathJSCode, url.Values{"appid": {app.ID}, "secret": {app.Secret}, "js_code": {jsCode}, "grant_type": {"authorization_code"}}, &s)
	if err == nil && s.OpenID == "" {
		err = fmt.Errorf("wechat: %s: reply without openid", PathJSCode)
	}
	return s, err
}

// codeOf is the errcode of err, or 0.
func codeOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}
