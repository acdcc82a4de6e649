package wechat_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/wechat"
	"github.com/gjjid/gjjid/connectors/wechat/wechattest"
)

const (
	webApp, webSecret = "wx0000000000000001", "websecret0123456789abcdef0123456"
	oaApp, oaSecret   = "wx0000000000000002", "oasecret0123456789abcdef01234567"
	mpApp, mpSecret   = "wx0000000000000003", "mpsecret0123456789abcdef01234567"
	weChatUA          = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN"
	callback          = "https://sso.example.com/login/wechat/callback"
)

type setup struct {
	c    *wechat.Connector
	srv  *wechattest.Server
	logs *connectorstest.Logs
}

func open(t *testing.T, oaScope, extra string, client *http.Client) setup {
	t.Helper()
	srv := wechattest.NewServer(wechattest.App{ID: webApp, Secret: webSecret, Kind: wechattest.Website},
		wechattest.App{ID: oaApp, Secret: oaSecret, Kind: wechattest.OfficialAccount},
		wechattest.App{ID: mpApp, Secret: mpSecret, Kind: wechattest.MiniProgram})
	srv.CallbackHost = "sso.example.com"
	t.Cleanup(srv.Close)
	cfg := fmt.Sprintf(`website: {app_id: %s, app_secret: %s}
official_account: {app_id: %s, app_secret: %s, scope: %s}
mini_program: {app_id: %s, app_secret: %s, client_ids: [mp]}
open_url: %s
api_url: %s
`, webApp, webSecret, oaApp, oaSecret, oaScope, mpApp, mpSecret, srv.OpenURL(), srv.APIURL()) + extra
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(cfg), &n); err != nil {
		t.Fatal(err)
	}
	logs := &connectorstest.Logs{}
	c, err := wechat.Open(connectors.Spec{ID: "wechat", Type: wechat.Type, Config: n, Path: "connectors[3].config"},
		connectors.Deps{Logger: logs, HTTPClient: client})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return setup{c, srv, logs}
}

// login follows the authorization page's redirect back to the connector.
func (s setup) login(t *testing.T, ua string) (connectors.Identity, error) {
	t.Helper()
	u, loc := connectorstest.Authorize(t, connectors.WithUserAgent(context.Background(), ua), s.c, "st4te", callback)
	if !strings.HasSuffix(u, "#wechat_redirect") {
		t.Fatalf("login URL %s: want #wechat_redirect", u)
	}
	if loc.Query().Get("state") != "st4te" {
		t.Fatalf("callback %s without state", loc)
	}
	return s.c.HandleCallback(context.Background(), httptest.NewRequest(http.MethodGet, loc.String(), nil))
}

func TestWebsiteLogin(t *testing.T) {
	t.Parallel()
	s := open(t, wechat.ScopeBase, "", nil)
	u, _ := s.c.LoginURL(context.Background(), "abc", callback)
	p, _ := url.Parse(u)
	if p.Path != "/connect/qrconnect" || p.Query().Get("scope") != "snsapi_login" || p.Query().Get("appid") != webApp || p.Query().Get("response_type") != "code" {
		t.Fatalf("PC login URL %s", u)
	}
	id, err := s.login(t, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != wechattest.DefaultUser.UnionID || id.Name != "张三" || id.LinkPolicy != connectors.LinkSelfBind ||
		id.Claims["wechat_openid"] != wechattest.OpenID(webApp, wechattest.DefaultUser) {
		t.Fatalf("identity %+v", id)
	}
}

func TestOfficialAccountScopes(t *testing.T) {
	t.Parallel()
	t.Run("userinfo", func(t *testing.T) {
		t.Parallel()
		s := open(t, wechat.ScopeUserinfo, "", nil)
		id, err := s.login(t, weChatUA)
		if err != nil {
			t.Fatal(err)
		}
		if id.Subject != wechattest.DefaultUser.UnionID || id.Name != "张三" || s.srv.Calls(wechat.PathUserinfo) != 1 {
			t.Fatalf("identity %+v, userinfo calls %d", id, s.srv.Calls(wechat.PathUserinfo))
		}
	})
	t.Run("base", func(t *testing.T) {
		t.Parallel()
		s := open(t, wechat.ScopeBase, "", nil)
		id, err := s.login(t, weChatUA)
		if err != nil {
			t.Fatal(err)
		}
		// snsapi_base: no userinfo call (it would answer 48001), no
		// unionid here, so the key is (appid, openid).
		if id.Subject != oaApp+":"+wechattest.OpenID(oaApp, wechattest.DefaultUser) || s.srv.Calls(wechat.PathUserinfo) != 0 {
			t.Fatalf("identity %+v, userinfo calls %d", id, s.srv.Calls(wechat.PathUserinfo))
		}
	})
	t.Run("48001 on a base token", func(t *testing.T) {
		t.Parallel()
		s := open(t, wechat.ScopeUserinfo, "", nil)
		s.srv.GrantBaseOnly(true)
		s.srv.Fail(wechat.PathAccessToken, wechattest.FaultNoScope)
		id, err := s.login(t, weChatUA)
		if err != nil {
			t.Fatalf("48001 from userinfo must not stop the login: %v", err)
		}
		if id.Name != "" || s.srv.Calls(wechat.PathUserinfo) != 1 || !strings.Contains(s.logs.String(), "48001") {
			t.Fatalf("identity %+v; logs %s", id, s.logs)
		}
	})
}

func TestMissingUnionID(t *testing.T) {
	t.Parallel()
	s := open(t, wechat.ScopeBase, "", nil)
	s.srv.As(wechattest.User{Key: "u2", Nickname: "李四"})
	id, err := s.login(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := webApp + ":" + wechattest.OpenID(webApp, wechattest.User{Key: "u2"}); id.Subject != want {
		t.Fatalf("subject %s, want %s", id.Subject, want)
	}
	strict := open(t, wechat.ScopeBase, "require_unionid: true\n", nil)
	strict.srv.As(wechattest.User{Key: "u2"})
	_, err = strict.login(t, "")
	connectorstest.WantLoginError(t, err, wechat.CodeNoUnionID)
}

func (s setup) callback(q string) (connectors.Identity, error) {
	return s.c.HandleCallback(context.Background(), httptest.NewRequest(http.MethodGet, callback+"?"+q, nil))
}

func TestCodesExpireAndAreSingleUse(t *testing.T) {
	t.Parallel()
	s := open(t, wechat.ScopeBase, "", nil)
	var loc string
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := s.c.LoginURL(context.Background(), "x", callback)
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc = resp.Header.Get("Location")
	q := loc[strings.Index(loc, "?")+1:]
	if _, err := s.callback(q); err != nil {
		t.Fatal(err)
	}
	_, err = s.callback(q) // replayed callback: 40163
	connectorstest.WantLoginError(t, err, wechat.CodeExpired)
	if !strings.Contains(s.logs.String(), "40163") {
		t.Fatalf("logs: %s", s.logs)
	}
	code := s.srv.JSCode(webApp) // any code of the website app
	now := time.Now()
	s.srv.SetNow(func() time.Time { return now.Add(wechattest.CodeTTL + time.Second) })
	_, err = s.callback("wx=web&state=x&code=" + code)
	connectorstest.WantLoginError(t, err, wechat.CodeExpired)
	if !strings.Contains(s.logs.String(), "40029") {
		t.Fatalf("logs: %s", s.logs)
	}
	_, err = s.callback("wx=web&state=x")
	connectorstest.WantLoginError(t, err, wechat.CodeDenied)
}

func TestUserRefuses(t *testing.T) {
	t.Parallel()
	s := open(t, wechat.ScopeBase, "", nil)
	s.srv.Deny(true)
	_, err := s.login(t, "")
	connectorstest.WantLoginError(t, err, wechat.CodeDenied)
}

func TestWrongAppSecret(t *testing.T) {
	t.Parallel()
	srv := wechattest.NewServer(wechattest.App{ID: webApp, Secret: "the-real-secret", Kind: wechattest.Website})
	defer srv.Close()
	var n yaml.Node
	_ = yaml.Unmarshal([]byte(fmt.Sprintf("website: {app_id: %s, app_secret: %s}\nopen_url: %s\napi_url: %s\n", webApp, webSecret, srv.URL, srv.URL)), &n)
	logs := &connectorstest.Logs{}
	c, err := wechat.Open(connectors.Spec{ID: "wechat", Config: n}, connectors.Deps{Logger: logs})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.HandleCallback(context.Background(), httptest.NewRequest(http.MethodGet, callback+"?wx=web&state=x&code="+srv.JSCode(webApp), nil))
	connectorstest.WantLoginError(t, err, wechat.CodeConfig)
	if l := logs.String(); !strings.Contains(l, "40125") || strings.Contains(l, webSecret) || strings.Contains(err.Error(), webSecret) {
		t.Fatalf("logs %s; err %v", l, err)
	}
}

func TestRefreshOnExpiredAccessToken(t *testing.T) {
	t.Parallel()
	s := open(t, wechat.ScopeBase, "", nil)
	s.srv.Fail(wechat.PathAccessToken, wechattest.FaultExpiredToken)
	id, err := s.login(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if id.Name != "张三" || s.srv.Calls(wechat.PathRefreshToken) != 1 || s.srv.Calls(wechat.PathUserinfo) != 2 {
		t.Fatalf("identity %+v; refresh %d userinfo %d", id, s.srv.Calls(wechat.PathRefreshToken), s.srv.Calls(wechat.PathUserinfo))
	}
}

func TestAPIFaults(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the connector followed a redirect (carrying the secret) to %s", r.URL.Path)
	}))
	defer other.Close()
	for _, tc := range []struct {
		name  string
		fault wechattest.Fault
		want  string
	}{
		{"system error", wechattest.FaultSystemError, wechat.CodeUnavailable},
		{"malformed JSON", wechattest.FaultMalformed, wechat.CodeUnavailable},
		{"huge body", wechattest.FaultHuge, wechat.CodeUnavailable},
		{"slow", wechattest.FaultSlow, wechat.CodeUnavailable},
		{"redirect", wechattest.FaultRedirect, wechat.CodeUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, wechat.ScopeBase, "", &http.Client{Timeout: 300 * time.Millisecond})
			s.srv.RedirectTo(other.URL + "/steal")
			s.srv.Fail(wechat.PathAccessToken, tc.fault)
			_, err := s.login(t, "")
			connectorstest.WantLoginError(t, err, tc.want)
			if strings.Contains(err.Error(), webSecret) || strings.Contains(s.logs.String(), webSecret) {
				t.Fatalf("secret leaked: %v %s", err, s.logs)
			}
		})
	}
}

func TestMiniProgramExchange(t *testing.T) {
	t.Parallel()
	s := open(t, wechat.ScopeBase, "", nil)
	ctx := context.Background()
	if s.c.AcceptsSubjectToken(wechat.SubjectTokenType, "other") || !s.c.AcceptsSubjectToken(wechat.SubjectTokenType, "mp") ||
		s.c.AcceptsSubjectToken("urn:ietf:params:oauth:token-type:access_token", "mp") {
		t.Fatal("AcceptsSubjectToken")
	}
	code := s.srv.JSCode(mpApp)
	id, err := s.c.ExchangeSubjectToken(ctx, "mp", wechat.SubjectTokenType, code)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != wechattest.DefaultUser.UnionID || id.Claims["wechat_app_id"] != mpApp {
		t.Fatalf("identity %+v", id)
	}
	_, err = s.c.ExchangeSubjectToken(ctx, "mp", wechat.SubjectTokenType, code)
	connectorstest.WantLoginError(t, err, wechat.CodeExpired)
	_, err = s.c.ExchangeSubjectToken(ctx, "other", wechat.SubjectTokenType, s.srv.JSCode(mpApp))
	connectorstest.WantLoginError(t, err, wechat.CodeNotServed)
	// A website code is no mini program's js_code.
	_, err = s.c.ExchangeSubjectToken(ctx, "mp", wechat.SubjectTokenType, s.srv.JSCode(webApp))
	connectorstest.WantLoginError(t, err, wechat.CodeExpired)
	s.srv.Fail(wechat.PathJSCode, wechattest.FaultBlocked)
	_, err = s.c.ExchangeSubjectToken(ctx, "mp", wechat.SubjectTokenType, s.srv.JSCode(mpApp))
	connectorstest.WantLoginError(t, err, wechat.CodeBlocked)
	s.srv.Fail(wechat.PathJSCode, wechattest.FaultRateLimit)
	_, err = s.c.ExchangeSubjectToken(ctx, "mp", wechat.SubjectTokenType, s.srv.JSCode(mpApp))
	connectorstest.WantLoginError(t, err, wechat.CodeUnavailable)
	if strings.Contains(s.logs.String(), "session_key") || strings.Contains(s.logs.String(), "tiihtNczf5v6AKRyjwEUhQ") {
		t.Fatalf("session_key logged: %s", s.logs)
	}
}

func TestConfigErrorsNameTheirPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"{}", "connectors[4].config: at least one of website, official_account and mini_program is required"},
		{"website: {app_secret: x}", "connectors[4].config.website.app_id: required"},
		{"website: {app_id: abc, app_secret: x}", "connectors[4].config.website.app_id: must be a WeChat AppID"},
		{"website: {app_id: wx1}", "connectors[4].config.website.app_secret: required"},
		{"official_account: {app_id: wx1, app_secret: s, scope: snsapi_login}", "connectors[4].config.official_account.scope: must be snsapi_base or snsapi_userinfo"},
		{"mini_program: {app_id: wx1, app_secret: s}", "connectors[4].config.mini_program.client_ids: required"},
		{"website: {app_id: wx1, app_secret: s, scope: x}", "connectors[4].config.website.scope: unknown key"},
		{"website: {app_id: wx1, app_secret: s}\napi_url: http://api.weixin.qq.com", "connectors[4].config.api_url: must be https"},
		{"website: {app_id: wx1, app_secret: s}\nlink_policy: auto", "connectors[4].config.link_policy: auto is not possible"},
		{"website: {app_id: wx1, app_secret: s}\nrequire_unionid: maybe", "connectors[4].config.require_unionid: must be true or false"},
		{"website: {app_id: wx1, app_secret: s}\nface_starts_per_hour: {per_ip: 0}", "connectors[4].config.face_starts_per_hour.per_ip: must be at least 1"},
		{"website: {app_id: wx1, app_secret: s}\nface_starts_per_hour: {per_id_number: 500}", "connectors[4].config.face_starts_per_hour.per_id_number: must be at most 100: more tries"},
		{"website: {app_id: wx1, app_secret: s}\nface_starts_per_hour: {per_user: 3}", "connectors[4].config.face_starts_per_hour.per_user: unknown"},
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tc.yaml), &n); err != nil {
			t.Fatal(err)
		}
		_, err := wechat.Open(connectors.Spec{ID: "wechat", Config: n, Path: "connectors[4].config"}, connectors.Deps{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
