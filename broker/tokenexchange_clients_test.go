package broker_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/wechat"
	"github.com/gjjid/gjjid/connectors/wechat/wechattest"
)

const grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

// withMiniPrograms configures connector "wechat" like withWeChat, with the
// mini program exchanging js_codes for the configured client miniClient
// (whose access tokens live accessTTL) and for clients an administrator
// creates later (extra), plus dynamic registration.
func withMiniPrograms(t *testing.T, srv *wechattest.Server, accessTTL time.Duration, extra ...string) bt.Options {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(fmt.Sprintf(`website: {app_id: %s, app_secret: %s}
mini_program: {app_id: %s, app_secret: %s, client_ids: [%s]}
open_url: %s
api_url: %s
`, wxWeb, wxWebSecret, wxMP, wxMPSecret, strings.Join(append([]string{miniClient}, extra...), ", "), srv.OpenURL(), srv.APIURL())), &n); err != nil {
		t.Fatal(err)
	}
	return bt.Options{Edit: func(c *config.Config) {
		c.Connectors = append(c.Connectors, config.Connector{ID: "wechat", Type: wechat.Type, Config: *n.Content[0]})
		c.Clients[0].Connectors = []string{"wechat"}
		c.Clients = append(c.Clients, config.Client{ID: miniClient, Name: "全国住房公积金小程序", Public: true, AuthMethod: "none",
			ApplicationType: "native", GrantTypes: []string{grantTokenExchange}, AccessTokenLifetime: accessTTL})
		c.Registration = config.Registration{Enabled: true, InitialAccessTokens: []string{initialToken}}
	}}
}

// jwtLifetime is exp - iat of a JWT (not verified: the test only reads it).
func jwtLifetime(t *testing.T, jwt string) time.Duration {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40s", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Exp, Iat int64 }
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return time.Duration(c.Exp-c.Iat) * time.Second
}

// wantExchanged checks a successful exchange's access token lives ttl.
func wantExchanged(t *testing.T, what string, status int, out map[string]any, ttl time.Duration) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("%s: %d %v", what, status, out)
	}
	at, _ := out["access_token"].(string)
	// expires_in counts from the answer, a second or so after iat.
	if exp, _ := out["expires_in"].(float64); exp > ttl.Seconds() || exp < ttl.Seconds()-5 || jwtLifetime(t, at) != ttl {
		t.Errorf("%s: expires_in %v, JWT lifetime %v, want %v", what, out["expires_in"], jwtLifetime(t, at), ttl)
	}
}

// TestTokenExchangeClients: the token-exchange grant is given to clients
// by the configuration, the admin API (public and confidential) and
// dynamic registration alike, and an exchanged access token lives as long
// as its client's access_token_lifetime says.
func TestTokenExchangeClients(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		srv := newWeChat(t)
		b := start(t, withMiniPrograms(t, srv, 7*time.Minute, "mp-admin", "mp-confidential"))
		rp := bt.NewRP(t, b.URL)

		// Link the WeChat account once (self-bind through the website app).
		br := bt.NewBrowser(t)
		f := rp.NewFlow(oauth2.SetAuthURLParam("idp_hint", "wechat"))
		if _, err := br.Get(f.URL); err != nil {
			t.Fatal(err)
		}
		exchange(t, rp, f, bindByPassword(t, b, br, "微信登录"))

		// The configured client: its own lifetime, not the broker's 15m.
		status, out := jsCodeExchange(t, b.URL, miniClient, srv.JSCode(wxMP), nil)
		wantExchanged(t, "configured client", status, out, 7*time.Minute)

		// The admin API creates, shows and updates a public client with the grant.
		api := bt.NewAdminAPI(t, b.URL)
		body := map[string]any{"client_id": "mp-admin", "client_name": "公积金小程序（新）", "application_type": "native",
			"grant_types": []string{grantTokenExchange}, "access_token_lifetime": "5m0s"}
		var created, got map[string]any
		api.Want(http.StatusCreated, "POST", "/admin/v1/clients", body, &created)
		if _, ok := created["client_secret"]; ok || created["token_endpoint_auth_method"] != "none" {
			t.Fatalf("public client created %v", created)
		}
		api.Want(http.StatusOK, "GET", "/admin/v1/clients/mp-admin", nil, &got)
		if gt, _ := got["grant_types"].([]any); len(gt) != 1 || gt[0] != grantTokenExchange || got["access_token_lifetime"] != "5m0s" {
			t.Fatalf("GET admin client %v", got)
		}
		status, out = jsCodeExchange(t, b.URL, "mp-admin", srv.JSCode(wxMP), nil)
		wantExchanged(t, "admin-created public client", status, out, 5*time.Minute)
		body["access_token_lifetime"] = "3m0s"
		api.Want(http.StatusOK, "PUT", "/admin/v1/clients/mp-admin", body, &got)
		status, out = jsCodeExchange(t, b.URL, "mp-admin", srv.JSCode(wxMP), nil)
		wantExchanged(t, "updated lifetime", status, out, 3*time.Minute)
		// Taking the grant away refuses the exchange.
		body["grant_types"] = []string{"authorization_code"}
		body["redirect_uris"] = []string{"cn.gov.gjj.mini:/cb"}
		api.Want(http.StatusOK, "PUT", "/admin/v1/clients/mp-admin", body, &got)
		if status, out := jsCodeExchange(t, b.URL, "mp-admin", srv.JSCode(wxMP), nil); status != http.StatusBadRequest || out["error"] != "unauthorized_client" {
			t.Fatalf("grant removed: %d %v", status, out)
		}

		// A confidential client authenticates with its secret; no lifetime of
		// its own: the broker's (15m).
		api.Want(http.StatusCreated, "POST", "/admin/v1/clients", map[string]any{"client_id": "mp-confidential", "client_name": "公积金服务端",
			"token_endpoint_auth_method": "client_secret_post", "grant_types": []string{grantTokenExchange}}, &created)
		secret, _ := created["client_secret"].(string)
		if secret == "" {
			t.Fatalf("confidential client created %v", created)
		}
		status, out = jsCodeExchange(t, b.URL, "mp-confidential", srv.JSCode(wxMP), url.Values{"client_secret": {secret}})
		wantExchanged(t, "admin-created confidential client", status, out, 15*time.Minute)
		if status, out := jsCodeExchange(t, b.URL, "mp-confidential", srv.JSCode(wxMP), url.Values{"client_secret": {"wrong"}}); status != http.StatusUnauthorized || out["error"] != "invalid_client" {
			t.Fatalf("wrong secret: %d %v", status, out)
		}
		// Other URN grants stay refused.
		wantField(t, api, "POST", "/admin/v1/clients", map[string]any{"client_id": "jwt", "client_name": "x",
			"grant_types": []string{"urn:ietf:params:oauth:grant-type:jwt-bearer"}}, "grant_types[0]")

		// Dynamic registration may ask for the grant; it is inert until a
		// connector names the client (wechat mini_program.client_ids).
		resp, reg := regCall(t, http.MethodPost, b.URL+"/register", initialToken, map[string]any{"client_name": "动态注册的小程序",
			"application_type": "native", "token_endpoint_auth_method": "none", "grant_types": []string{grantTokenExchange}})
		wantRegStatus(t, "register", resp, reg, http.StatusCreated, "")
		id, _ := reg["client_id"].(string)
		if gt, _ := reg["grant_types"].([]any); len(gt) != 1 || gt[0] != grantTokenExchange || id == "" {
			t.Fatalf("registered %v", reg)
		}
		if status, out := jsCodeExchange(t, b.URL, id, srv.JSCode(wxMP), nil); status != http.StatusBadRequest || out["error"] != "unauthorized_client" {
			t.Fatalf("registered client not named by the connector: %d %v", status, out)
		}
	})
}
