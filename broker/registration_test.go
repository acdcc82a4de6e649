package broker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gjjid/gjjid/broker/audit"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// initialToken may register clients on the test brokers.
const initialToken = "gjjid-test-initial-access-token-0123456789"

// rpRedirect is the dynamically registered client's redirect URI; the test
// browser stops there.
const rpRedirect = "https://rp.example.cn/oidc/callback"

func withRegistration(o bt.Options) bt.Options {
	o.Edit = func(c *config.Config) {
		c.Registration = config.Registration{Enabled: true, InitialAccessTokens: []string{initialToken}}
	}
	return o
}

// regCall sends a registration request; token "" sends no Authorization.
func regCall(t *testing.T, method, u, token string, body any) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, m, raw := bt.Send(t, nil, req)
	if len(raw) > 0 && m == nil {
		t.Fatalf("%s %s: %d, body not a JSON object: %s", method, u, resp.StatusCode, raw)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s %s: Cache-Control %q, want no-store", method, u, cc)
	}
	return resp, m
}

func wantRegStatus(t *testing.T, what string, resp *http.Response, body map[string]any, status int, errCode string) {
	t.Helper()
	if resp.StatusCode != status || (errCode != "" && body["error"] != errCode) {
		t.Fatalf("%s: %d %v, want %d %s", what, resp.StatusCode, body, status, errCode)
	}
	if status == http.StatusUnauthorized && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("%s: WWW-Authenticate %q", what, resp.Header.Get("WWW-Authenticate"))
	}
}

// rpFor is a relying party of the real libraries for a registered client.
func rpFor(t *testing.T, issuer, id, secret string) *bt.RP {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &bt.RP{Provider: p, Issuer: issuer, Verifier: p.Verifier(&oidc.Config{ClientID: id}),
		OAuth2: oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: rpRedirect,
			Scopes: []string{oidc.ScopeOpenID, "profile", oidc.ScopeOfflineAccess}}}
}

// rpBrowser stops at the registered client's redirect URI.
func rpBrowser(t *testing.T) *bt.Browser {
	br := bt.NewBrowser(t)
	next := br.Client.CheckRedirect
	br.Client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == "rp.example.cn" {
			return http.ErrUseLastResponse
		}
		return next(req, via)
	}
	return br
}

func registrationMetadata(name string) map[string]any {
	return map[string]any{
		"client_name":    name,
		"redirect_uris":  []string{rpRedirect},
		"grant_types":    []string{"authorization_code", "refresh_token"},
		"response_types": []string{"code"},
		"scope":          "openid profile gjj:api",
		"logo_uri":       "https://rp.example.cn/logo.png", // not understood: ignored (RFC 7591 §2)
	}
}

// TestDynamicRegistration registers a client (RFC 7591), logs in with it
// through the real RP libraries, manages it (RFC 7592) and deletes it, on
// both stores.
func TestDynamicRegistration(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		testDynamicRegistration(t, bt.Start(t, withRegistration(bt.Options{})))
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		testDynamicRegistration(t, bt.Start(t, withRegistration(bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t)})))
	})
}

func testDynamicRegistration(t *testing.T, b *bt.Broker) {
	ctx := context.Background()
	endpoint := b.URL + "/register"

	disc := bt.Discovery(t, b.URL)
	if disc["registration_endpoint"] != endpoint {
		t.Fatalf("discovery registration_endpoint = %v, want %s", disc["registration_endpoint"], endpoint)
	}

	// RFC 7591 §3: the initial access token is required.
	for _, tok := range []string{"", "wrong-token-wrong-token-wrong-token-0000", initialToken + "x"} {
		resp, body := regCall(t, http.MethodPost, endpoint, tok, registrationMetadata("x"))
		wantRegStatus(t, "register with token "+tok, resp, body, http.StatusUnauthorized, "invalid_token")
	}

	before := time.Now().Add(-time.Second).Unix()
	resp, reg := regCall(t, http.MethodPost, endpoint, initialToken, registrationMetadata("动态注册的业务系统"))
	wantRegStatus(t, "register", resp, reg, http.StatusCreated, "")
	id, _ := reg["client_id"].(string)
	secret, _ := reg["client_secret"].(string)
	regToken, _ := reg["registration_access_token"].(string)
	issued, _ := reg["client_id_issued_at"].(float64)
	if len(id) < 22 || len(secret) < 43 || len(regToken) < 43 {
		t.Fatalf("registration answer lacks credentials: %v", reg)
	}
	if reg["registration_client_uri"] != endpoint+"/"+id || reg["client_secret_expires_at"] != 0.0 || int64(issued) < before ||
		reg["token_endpoint_auth_method"] != "client_secret_basic" || reg["application_type"] != "web" ||
		reg["client_name"] != "动态注册的业务系统" || reg["scope"] != "gjj:api" || reg["logo_uri"] != nil {
		t.Errorf("registration answer: %v", reg)
	}
	if rt, _ := reg["response_types"].([]any); !slices.Equal(rt, []any{"code"}) {
		t.Errorf("response_types = %v", reg["response_types"])
	}

	// A full authorization code flow with the new client.
	rp := rpFor(t, b.URL, id, secret)
	_, tok, claims := login(t, b, rp, rpBrowser(t))
	if claims["aud"] != id && !slices.Contains(anySlice(claims["aud"]), any(id)) {
		t.Errorf("id token aud = %v, want %s", claims["aud"], id)
	}
	if claims["name"] != bt.AgentName || tok.RefreshToken == "" {
		t.Errorf("claims %v, refresh token %q", claims, tok.RefreshToken)
	}

	// RFC 7592 §2.1 read.
	self := endpoint + "/" + id
	resp, got := regCall(t, http.MethodGet, self, regToken, nil)
	wantRegStatus(t, "read", resp, got, http.StatusOK, "")
	if got["client_id"] != id || got["client_name"] != "动态注册的业务系统" || got["registration_access_token"] != regToken ||
		got["registration_client_uri"] != self || got["client_secret"] != nil {
		t.Errorf("read answer: %v", got)
	}

	// Every wrong token is the same 401, whether or not the client exists.
	resp, other := regCall(t, http.MethodPost, endpoint, initialToken, registrationMetadata("另一个系统"))
	wantRegStatus(t, "register another", resp, other, http.StatusCreated, "")
	otherToken, _ := other["registration_access_token"].(string)
	var first map[string]any
	for i, tc := range []struct{ name, url, token string }{
		{"no token", self, ""},
		{"wrong token", self, "not-the-registration-access-token-at-all"},
		{"initial access token", self, initialToken},
		{"another client's token", self, otherToken},
		{"unknown client", endpoint + "/no-such-client", regToken},
		{"config client", endpoint + "/" + bt.ClientID, regToken},
	} {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			var body any
			if method == http.MethodPut {
				body = map[string]any{"client_id": id, "client_name": "hijacked", "redirect_uris": []string{rpRedirect}}
			}
			resp, b := regCall(t, method, tc.url, tc.token, body)
			wantRegStatus(t, method+" with "+tc.name, resp, b, http.StatusUnauthorized, "invalid_token")
			if i == 0 && first == nil {
				first = b
			} else if b["error_description"] != first["error_description"] {
				t.Errorf("%s %s: body %v differs from %v: it tells something", method, tc.name, b, first)
			}
		}
	}

	// RFC 7592 §2.2 update: replace the metadata, keep the secret.
	update := registrationMetadata("改名后的业务系统")
	update["client_id"] = id
	update["redirect_uris"] = []string{rpRedirect, "https://rp.example.cn/oidc/callback2"}
	for _, tc := range []struct {
		name string
		edit func(m map[string]any)
		code string
	}{
		{"no client_id", func(m map[string]any) { delete(m, "client_id") }, "invalid_client_metadata"},
		{"other client_id", func(m map[string]any) { m["client_id"] = "someone-else" }, "invalid_client_metadata"},
		{"wrong secret", func(m map[string]any) { m["client_secret"] = "not-the-secret" }, "invalid_client_metadata"},
		{"reserved scope", func(m map[string]any) { m["scope"] = "openid gjjid:admin" }, "invalid_client_metadata"},
		{"http redirect", func(m map[string]any) { m["redirect_uris"] = []string{"http://rp.example.cn/cb"} }, "invalid_redirect_uri"},
	} {
		m := map[string]any{}
		for k, v := range update {
			m[k] = v
		}
		tc.edit(m)
		resp, body := regCall(t, http.MethodPut, self, regToken, m)
		wantRegStatus(t, "update with "+tc.name, resp, body, http.StatusBadRequest, tc.code)
	}
	update["client_secret"] = secret // allowed when it matches
	resp, up := regCall(t, http.MethodPut, self, regToken, update)
	wantRegStatus(t, "update", resp, up, http.StatusOK, "")
	if up["client_name"] != "改名后的业务系统" || len(anySlice(up["redirect_uris"])) != 2 || up["client_secret"] != nil ||
		up["registration_access_token"] != regToken {
		t.Errorf("update answer: %v", up)
	}
	if resp, got := regCall(t, http.MethodGet, self, regToken, nil); resp.StatusCode != http.StatusOK || got["client_name"] != "改名后的业务系统" {
		t.Errorf("read after update: %d %v", resp.StatusCode, got)
	}
	// The secret still works: refresh.
	tok, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh after update: %v", err)
	}

	// A code obtained before the deletion cannot be redeemed after it.
	f, code := rp.PasswordCode(t, rpBrowser(t), b.URL, bt.AgentIDNumber, bt.AgentPassword)

	// RFC 7592 §2.3 delete.
	resp, body := regCall(t, http.MethodDelete, self, regToken, nil)
	wantRegStatus(t, "delete", resp, body, http.StatusNoContent, "")
	resp, body = regCall(t, http.MethodGet, self, regToken, nil)
	wantRegStatus(t, "read after delete", resp, body, http.StatusUnauthorized, "invalid_token")
	if _, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Error("a deleted client refreshed its token")
	}
	if _, _, err := rp.Exchange(ctx, f, code); err == nil {
		t.Error("a deleted client redeemed a code")
	}
	if loc, err := rpBrowser(t).Get(rp.NewFlow().URL); err != nil || loc != nil {
		t.Errorf("authorize for a deleted client redirected to %v (%v); want an error page", loc, err)
	}

	// Audit: register, update and delete, by "registration", about the client.
	events, _, err := b.Audit.Query(ctx, audit.Query{Principal: id, Type: audit.ClientRegister})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if e.Actor != "registration" || e.Principal != id || e.Outcome != audit.Success {
			t.Errorf("audit event %+v", e)
		}
		actions = append(actions, e.Action)
	}
	if want := []string{"register", "update", "delete"}; !slices.Equal(actions, want) {
		t.Errorf("audited %v, want %v", actions, want)
	}
}

func anySlice(v any) []any { s, _ := v.([]any); return s }

// TestRegistrationRefusesBadMetadata: RFC 7591 §3.2.2 errors name the
// field; dynamic clients never get reserved scopes.
func TestRegistrationRefusesBadMetadata(t *testing.T) {
	b := bt.Start(t, withRegistration(bt.Options{}))
	endpoint := b.URL + "/register"
	for _, tc := range []struct {
		name  string
		edit  func(m map[string]any)
		code  string
		field string
	}{
		{"admin scope", func(m map[string]any) { m["scope"] = "openid gjjid:admin" }, "invalid_client_metadata", "scope"},
		{"ID number scope", func(m map[string]any) { m["scope"] = "gjj:id_number" }, "invalid_client_metadata", "scope"},
		{"http redirect", func(m map[string]any) { m["redirect_uris"] = []string{"http://rp.example.cn/cb"} }, "invalid_redirect_uri", "redirect_uris[0]"},
		{"wildcard redirect", func(m map[string]any) { m["redirect_uris"] = []string{"https://*.example.cn/cb"} }, "invalid_redirect_uri", "redirect_uris[0]"},
		{"no redirect", func(m map[string]any) { delete(m, "redirect_uris") }, "invalid_redirect_uri", "redirect_uris"},
		{"implicit", func(m map[string]any) { m["response_types"] = []string{"id_token"} }, "invalid_client_metadata", "response_types[0]"},
		{"public client credentials", func(m map[string]any) {
			m["token_endpoint_auth_method"], m["grant_types"] = "none", []string{"client_credentials"}
			delete(m, "response_types")
		}, "invalid_client_metadata", "grant_types[0]"},
		{"code without its grant", func(m map[string]any) { m["grant_types"] = []string{"client_credentials"} }, "invalid_client_metadata", "response_types"},
		{"no name", func(m map[string]any) { delete(m, "client_name") }, "invalid_client_metadata", "client_name"},
		{"wrong type", func(m map[string]any) { m["redirect_uris"] = rpRedirect }, "invalid_client_metadata", "redirect_uris"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := registrationMetadata("系统")
			tc.edit(m)
			resp, body := regCall(t, http.MethodPost, endpoint, initialToken, m)
			wantRegStatus(t, tc.name, resp, body, http.StatusBadRequest, tc.code)
			if d, _ := body["error_description"].(string); !strings.HasPrefix(d, tc.field+": ") {
				t.Errorf("error_description %q does not name %s", d, tc.field)
			}
		})
	}

	// A native app registers as a public client with a loopback redirect.
	resp, reg := regCall(t, http.MethodPost, endpoint, initialToken, map[string]any{
		"client_name": "桌面客户端", "application_type": "native", "redirect_uris": []string{"http://127.0.0.1/callback"},
		"client_id": "chosen-id"})
	wantRegStatus(t, "native", resp, reg, http.StatusCreated, "")
	if reg["token_endpoint_auth_method"] != "none" || reg["client_secret"] != nil || reg["client_secret_expires_at"] != nil ||
		reg["client_id"] == "chosen-id" {
		t.Errorf("native registration: %v", reg)
	}

	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader("client_name=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+initialToken)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("form body: %d, want 400", r.StatusCode)
	}
}

// TestRegistrationOffByDefault: nothing is served or advertised unless the
// configuration enables it.
func TestRegistrationOffByDefault(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	disc := bt.Discovery(t, b.URL)
	if _, ok := disc["registration_endpoint"]; ok {
		t.Errorf("discovery advertises registration_endpoint %v while registration is off", disc["registration_endpoint"])
	}
	req, _ := http.NewRequest(http.MethodPost, b.URL+"/register", strings.NewReader(`{"client_name":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+url.QueryEscape(initialToken))
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("POST /register while off: %d, want 404", r.StatusCode)
	}
}
