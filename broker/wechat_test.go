package broker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"go.yaml.in/yaml/v3"
	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/wechat"
	"github.com/gjjid/gjjid/connectors/wechat/wechattest"
)

const (
	wxWeb, wxWebSecret = "wx00000000000000a1", "web-secret-0123456789abcdef01234"
	wxOA, wxOASecret   = "wx00000000000000a2", "oa-secret-0123456789abcdef012345"
	wxMP, wxMPSecret   = "wx00000000000000a3", "mp-secret-0123456789abcdef012345"
	wxUA               = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.49.2600(0x28003133) NetType/WIFI Language/zh_CN"
	miniClient         = "gjj-miniprogram"
)

func newWeChat(t *testing.T) *wechattest.Server {
	srv := wechattest.NewServer(wechattest.App{ID: wxWeb, Secret: wxWebSecret, Kind: wechattest.Website},
		wechattest.App{ID: wxOA, Secret: wxOASecret, Kind: wechattest.OfficialAccount},
		wechattest.App{ID: wxMP, Secret: wxMPSecret, Kind: wechattest.MiniProgram})
	srv.CallbackHost = "127.0.0.1" // every test broker's host; the port varies
	t.Cleanup(srv.Close)
	return srv
}

// withWeChat configures connector "wechat" (website, official account with
// oaScope, mini program for the public client miniClient) as the demo
// client's only method.
func withWeChat(t *testing.T, srv *wechattest.Server, oaScope string) bt.Options {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(fmt.Sprintf(`website: {app_id: %s, app_secret: %s}
official_account: {app_id: %s, app_secret: %s, scope: %s}
mini_program: {app_id: %s, app_secret: %s, client_ids: [%s]}
open_url: %s
api_url: %s
`, wxWeb, wxWebSecret, wxOA, wxOASecret, oaScope, wxMP, wxMPSecret, miniClient, srv.OpenURL(), srv.APIURL())), &n); err != nil {
		t.Fatal(err)
	}
	return bt.Options{Edit: func(c *config.Config) {
		c.Connectors = append(c.Connectors, config.Connector{ID: "wechat", Type: wechat.Type, Config: *n.Content[0]})
		c.Clients[0].Connectors = []string{"wechat"}
		c.Clients = append(c.Clients, config.Client{ID: miniClient, Name: "全国住房公积金小程序", Public: true, AuthMethod: "none",
			ApplicationType: "native", GrantTypes: []string{"urn:ietf:params:oauth:grant-type:token-exchange"}})
	}}
}

// uaTransport sends every request with a User-Agent (the WeChat client's).
type uaTransport struct{ ua string }

func (u uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return http.DefaultTransport.RoundTrip(r)
}

func inWeChat(br *bt.Browser) *bt.Browser {
	br.Client.Transport = uaTransport{wxUA}
	return br
}

func TestWeChatWebsiteAndOfficialAccount(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		srv := newWeChat(t)
		b := start(t, withWeChat(t, srv, wechat.ScopeUserinfo))
		rp := bt.NewRP(t, b.URL)

		// Website QR login on a PC: first time, self-bind.
		br := bt.NewBrowser(t)
		f := rp.NewFlow()
		if loc, err := br.Get(f.URL); err != nil || loc != nil {
			t.Fatalf("first login went to %v (%v), want the binding page", loc, err)
		}
		claims := exchange(t, rp, f, bindByPassword(t, b, br, "微信登录"))
		if claims["idp"] != "wechat" || claims["name"] != bt.AgentName || claims["unit_id"] != bt.UnitID {
			t.Fatalf("claims %v", claims)
		}
		sub := claims["sub"]
		if srv.Calls(wechat.PathUserinfo) != 1 {
			t.Fatalf("website login: userinfo calls %d", srv.Calls(wechat.PathUserinfo))
		}

		// Inside WeChat, official-account authorization (snsapi_userinfo):
		// the same unionid, so the link answers at once.
		f2 := rp.NewFlow()
		loc, err := inWeChat(bt.NewBrowser(t)).Get(f2.URL)
		if err != nil || loc == nil {
			t.Fatalf("official-account login: %v %v", loc, err)
		}
		if c2 := exchange(t, rp, f2, loc); c2["sub"] != sub {
			t.Fatalf("official-account login as %v, want %v", c2["sub"], sub)
		}
		if srv.Calls(wechat.PathUserinfo) != 2 {
			t.Fatalf("snsapi_userinfo login: userinfo calls %d", srv.Calls(wechat.PathUserinfo))
		}
	})
}

func TestWeChatOfficialAccountBaseWithoutUnionID(t *testing.T) {
	t.Parallel()
	srv := newWeChat(t)
	b := bt.Start(t, withWeChat(t, srv, wechat.ScopeBase))
	rp := bt.NewRP(t, b.URL)
	// snsapi_base gives the openid only: a new subject (appid, openid),
	// bound once, then straight through; userinfo is never asked (48001).
	br := inWeChat(bt.NewBrowser(t))
	f := rp.NewFlow()
	if loc, err := br.Get(f.URL); err != nil || loc != nil {
		t.Fatalf("first base login: %v %v", loc, err)
	}
	claims := exchange(t, rp, f, bindByPassword(t, b, br, "微信登录"))
	f2 := rp.NewFlow()
	loc, err := inWeChat(bt.NewBrowser(t)).Get(f2.URL)
	if err != nil || loc == nil {
		t.Fatalf("second base login: %v %v", loc, err)
	}
	if c2 := exchange(t, rp, f2, loc); c2["sub"] != claims["sub"] {
		t.Fatalf("second base login as %v, want %v", c2["sub"], claims["sub"])
	}
	if srv.Calls(wechat.PathUserinfo) != 0 {
		t.Fatalf("snsapi_base login called userinfo %d times", srv.Calls(wechat.PathUserinfo))
	}
	var links listPage[map[string]any]
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, "GET", "/admin/v1/links?principal="+claims["sub"].(string), nil, &links)
	if len(links.Items) != 1 || links.Items[0]["subject"] != wxOA+":"+wechattest.OpenID(wxOA, wechattest.DefaultUser) {
		t.Fatalf("links %v", links.Items)
	}
}

func TestWeChatCallbackReplayAndRefusals(t *testing.T) {
	t.Parallel()
	srv := newWeChat(t)
	b := bt.Start(t, withWeChat(t, srv, wechat.ScopeBase))
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	resume := stopAtCallback(br)
	cb, err := br.Get(rp.NewFlow().URL)
	if err != nil || cb == nil || cb.Query().Get("code") == "" {
		t.Fatalf("no callback captured: %v %v", cb, err)
	}
	resume()
	if loc, _ := br.Get(cb.String()); loc != nil || !strings.Contains(br.Page, "绑定经办人账户") {
		t.Fatalf("callback: %v %d", loc, br.Last)
	}
	if loc, _ := br.Get(cb.String()); loc != nil || br.Last != http.StatusBadRequest {
		t.Fatalf("second callback with the same state: %v %d", loc, br.Last)
	}
	// The user refuses: no code comes back. WeChat is the client's only
	// method, so the refusal is the answer to the relying party
	// (upstream_refusal_test.go has the other case).
	srv.Deny(true)
	br = bt.NewBrowser(t)
	f := rp.NewFlow()
	if loc, _ := br.Get(f.URL); loc == nil || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != f.State {
		t.Fatalf("refused: %v %d %.300s", loc, br.Last, br.Page)
	}
	srv.Deny(false)
	// WeChat down: a clear error, nothing stored.
	srv.Fail(wechat.PathAccessToken, wechattest.FaultSystemError)
	br = bt.NewBrowser(t)
	if loc, _ := br.Get(rp.NewFlow().URL); loc != nil || br.Last != http.StatusBadGateway || !strings.Contains(br.Page, "微信服务暂时无法使用") {
		t.Fatalf("system error: %v %d %.300s", loc, br.Last, br.Page)
	}
}

// jsCodeExchange posts an RFC 8693 exchange of a js_code as the mini
// program (a public client) does.
func jsCodeExchange(t *testing.T, issuer, clientID, code string, extra url.Values) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "client_id": {clientID},
		"subject_token": {code}, "subject_token_type": {wechat.SubjectTokenType}, "scope": {"openid profile"}}
	for k, v := range extra {
		form[k] = v
	}
	resp, out := bt.PostFormWith(t, nil, issuer+"/oauth/token", form)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token exchange answer without Cache-Control: no-store")
	}
	return resp.StatusCode, out
}

func TestWeChatMiniProgramTokenExchange(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		srv := newWeChat(t)
		b := start(t, withWeChat(t, srv, wechat.ScopeBase))
		rp := bt.NewRP(t, b.URL)
		ctx := context.Background()
		var disc struct {
			Grants []string `json:"grant_types_supported"`
		}
		if err := rp.Provider.Claims(&disc); err != nil || !strings.Contains(strings.Join(disc.Grants, " "), "token-exchange") {
			t.Fatalf("discovery grant types %v (%v)", disc.Grants, err)
		}

		// Not linked yet: invalid_grant with the self-bind hint.
		status, out := jsCodeExchange(t, b.URL, miniClient, srv.JSCode(wxMP), nil)
		if status != http.StatusBadRequest || out["error"] != "invalid_grant" || out["idp_hint"] != "wechat" {
			t.Fatalf("unlinked exchange: %d %v", status, out)
		}
		// Self-bind once through the authorization endpoint (website app,
		// same unionid), as the hint says.
		br := bt.NewBrowser(t)
		f := rp.NewFlow(oauth2.SetAuthURLParam("idp_hint", "wechat"))
		if _, err := br.Get(f.URL); err != nil {
			t.Fatal(err)
		}
		sub := exchange(t, rp, f, bindByPassword(t, b, br, "微信登录"))["sub"]

		// Now the js_code gives the agent's tokens: an access token that
		// userinfo accepts, and (asked for) an ID token go-oidc verifies.
		status, out = jsCodeExchange(t, b.URL, miniClient, srv.JSCode(wxMP), nil)
		if status != http.StatusOK || out["issued_token_type"] != "urn:ietf:params:oauth:token-type:access_token" || out["token_type"] != "Bearer" {
			t.Fatalf("exchange: %d %v", status, out)
		}
		ui, err := rp.Provider.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: out["access_token"].(string), TokenType: "Bearer"}))
		if err != nil || ui.Subject != sub {
			t.Fatalf("userinfo: %v %v, want %v", ui, err, sub)
		}
		var uc map[string]any
		_ = ui.Claims(&uc)
		if uc["unit_id"] != bt.UnitID || uc["idp"] != "wechat" || uc["name"] != bt.AgentName {
			t.Fatalf("userinfo claims %v", uc)
		}
		status, out = jsCodeExchange(t, b.URL, miniClient, srv.JSCode(wxMP), url.Values{"requested_token_type": {"urn:ietf:params:oauth:token-type:id_token"}})
		if status != http.StatusOK {
			t.Fatalf("ID token exchange: %d %v", status, out)
		}
		idt, err := rp.Provider.Verifier(&oidc.Config{ClientID: miniClient}).Verify(ctx, out["access_token"].(string))
		if err != nil || idt.Subject != sub {
			t.Fatalf("ID token: %v %v", idt, err)
		}
		var ic map[string]any
		_ = idt.Claims(&ic)
		if ic["acr"] != wechat.DefaultACR || ic["unit_id"] != bt.UnitID {
			t.Fatalf("ID token claims %v", ic)
		}

		// A js_code works once.
		code := srv.JSCode(wxMP)
		if status, _ := jsCodeExchange(t, b.URL, miniClient, code, nil); status != http.StatusOK {
			t.Fatalf("first use: %d", status)
		}
		if status, out := jsCodeExchange(t, b.URL, miniClient, code, nil); status != http.StatusBadRequest || out["error"] != "invalid_grant" {
			t.Fatalf("reused js_code: %d %v", status, out)
		}
		// Other clients, types and shapes are refused.
		if status, out := jsCodeExchange(t, b.URL, bt.NativeClientID, srv.JSCode(wxMP), nil); status != http.StatusBadRequest || out["error"] != "unauthorized_client" {
			t.Fatalf("client without the grant: %d %v", status, out)
		}
		if status, out := jsCodeExchange(t, b.URL, miniClient, srv.JSCode(wxMP), url.Values{"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"}}); status != http.StatusBadRequest || out["error"] != "invalid_request" {
			t.Fatalf("access token exchange: %d %v", status, out)
		}
		if status, out := jsCodeExchange(t, b.URL, miniClient, srv.JSCode(wxMP), url.Values{"client_secret": {"x"}}); status != http.StatusUnauthorized || out["error"] != "invalid_client" {
			t.Fatalf("public client with a secret: %d %v", status, out)
		}
		if status, out := jsCodeExchange(t, b.URL, miniClient, srv.JSCode(wxMP), url.Values{"requested_token_type": {"urn:ietf:params:oauth:token-type:refresh_token"}}); status != http.StatusBadRequest || out["error"] != "invalid_request" {
			t.Fatalf("refresh token asked: %d %v", status, out)
		}
	})
}
