package alipay_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/alipay"
	"github.com/gjjid/gjjid/connectors/alipay/alipaytest"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

// One app key for the package's tests: RSA key generation is slow.
var (
	keyOnce sync.Once
	appKey  *rsa.PrivateKey
)

func key() *rsa.PrivateKey {
	keyOnce.Do(func() { appKey = alipaytest.GenerateKey() })
	return appKey
}

const appID = "2021004100000001"

// quoted renders a PEM block as a YAML double-quoted scalar.
func quoted(s string) string { return fmt.Sprintf("%q", s) }

type setup struct {
	c    *alipay.Connector
	srv  *alipaytest.Server
	logs *connectorstest.Logs
}

func open(t *testing.T, certMode bool, scope string, client *http.Client) setup {
	t.Helper()
	srv := alipaytest.NewServer(alipaytest.Options{AppID: appID, AppKey: &key().PublicKey, CertMode: certMode})
	t.Cleanup(srv.Close)
	cfg := fmt.Sprintf("app_id: %q\nprivate_key: %s\nscope: %s\nauthorize_url: %s\ngateway_url: %s\n",
		appID, quoted(alipaytest.PrivateKeyPEM(key())), scope, srv.AuthorizeURL(), srv.GatewayURL())
	if certMode {
		cfg += "app_cert: " + quoted(srv.AppCertPEM()) + "\nalipay_cert: " + quoted(srv.AlipayCertPEM()) + "\nalipay_root_cert: " + quoted(srv.RootCertPEM()) + "\n"
	} else {
		cfg += "alipay_public_key: " + quoted(srv.AlipayPublicKeyPEM()) + "\n"
	}
	logs := &connectorstest.Logs{}
	c, err := alipay.Open(connectors.Spec{ID: "alipay", Type: alipay.Type, Config: yamlconfigtest.Node(t, cfg), Path: "connectors[1].config"},
		connectors.Deps{Logger: logs, HTTPClient: client})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return setup{c, srv, logs}
}

// login goes to the fake's authorization page and brings its redirect back
// to the connector, as the browser would.
func (s setup) login(t *testing.T) (connectors.Identity, error) {
	t.Helper()
	_, loc := connectorstest.Authorize(t, context.Background(), s.c, "st4te", "https://sso.example.com/login/alipay/callback")
	if loc.Query().Get("state") != "st4te" || loc.Query().Get("auth_code") == "" || loc.Query().Has("code") {
		t.Fatalf("callback %s: want auth_code and state", loc)
	}
	return s.c.HandleCallback(context.Background(), httptest.NewRequest(http.MethodGet, loc.String(), nil))
}

func TestLoginPublicKeyAndCertMode(t *testing.T) {
	t.Parallel()
	for _, cert := range []bool{false, true} {
		t.Run(fmt.Sprintf("cert=%v", cert), func(t *testing.T) {
			t.Parallel()
			s := open(t, cert, alipay.ScopeUser, nil)
			id, err := s.login(t)
			if err != nil {
				t.Fatal(err)
			}
			u := alipaytest.DefaultUser
			if id.Subject != appID+":"+u.OpenID || id.Name != u.NickName || id.LinkPolicy != connectors.LinkSelfBind ||
				id.Kind != connectors.KindPerson || id.Claims["alipay_user_id"] != u.UserID || id.Claims["picture"] != u.Avatar {
				t.Fatalf("identity %+v", id)
			}
			if s.srv.Calls(alipay.MethodUserInfo) != 1 {
				t.Fatalf("auth_user login: user info called %d times", s.srv.Calls(alipay.MethodUserInfo))
			}
		})
	}
}

func TestAuthBaseSkipsUserInfoAndUserIDFallback(t *testing.T) {
	t.Parallel()
	s := open(t, false, alipay.ScopeBase, nil)
	s.srv.As(alipaytest.User{UserID: "2088000000000042"}) // an app still on user_id
	id, err := s.login(t)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != appID+":2088000000000042" || s.srv.Calls(alipay.MethodUserInfo) != 0 {
		t.Fatalf("identity %+v, user info calls %d", id, s.srv.Calls(alipay.MethodUserInfo))
	}
}

func TestLoginURL(t *testing.T) {
	t.Parallel()
	s := open(t, false, alipay.ScopeUser, nil)
	u, _ := s.c.LoginURL(context.Background(), "abc", "https://sso.example.com/login/alipay/callback")
	p, _ := url.Parse(u)
	q := p.Query()
	if p.Path != alipaytest.AuthorizePath || q.Get("app_id") != appID || q.Get("scope") != "auth_user" ||
		q.Get("redirect_uri") != "https://sso.example.com/login/alipay/callback" || q.Get("state") != "abc" {
		t.Fatalf("login URL %s", u)
	}
}

func TestStringToSign(t *testing.T) {
	t.Parallel()
	p := url.Values{"app_id": {"2021004100000001"}, "method": {"alipay.system.oauth.token"}, "format": {"JSON"}, "charset": {"utf-8"},
		"sign_type": {"RSA2"}, "timestamp": {"2025-03-01 10:15:00"}, "version": {"1.0"}, "grant_type": {"authorization_code"},
		"code": {"4b20...AX12"}, "sign": {"ignored"}, "app_auth_token": {""}}
	want := "app_id=2021004100000001&charset=utf-8&code=4b20...AX12&format=JSON&grant_type=authorization_code&method=alipay.system.oauth.token&sign_type=RSA2&timestamp=2025-03-01 10:15:00&version=1.0"
	if got := alipay.StringToSign(p); got != want {
		t.Fatalf("string to sign\n got %s\nwant %s", got, want)
	}
	if got := alipaytest.StringToSign(p); got != want {
		t.Fatalf("fake's string to sign\n got %s\nwant %s", got, want)
	}
}

// callback redeems a code directly (the tests of codes and faults).
func (s setup) callback(code string) (connectors.Identity, error) {
	u := "https://sso.example.com/login/alipay/callback?app_id=" + appID + "&source=alipay_wallet&scope=auth_user&state=x&auth_code=" + url.QueryEscape(code)
	return s.c.HandleCallback(context.Background(), httptest.NewRequest(http.MethodGet, u, nil))
}

func TestCodesAreSingleUseAndExpire(t *testing.T) {
	t.Parallel()
	s := open(t, false, alipay.ScopeBase, nil)
	code := s.srv.IssueCode("auth_base")
	if _, err := s.callback(code); err != nil {
		t.Fatal(err)
	}
	_, err := s.callback(code)
	connectorstest.WantLoginError(t, err, alipay.CodeExpired)
	if !strings.Contains(s.logs.String(), "isv.code-invalid") {
		t.Fatalf("sub_code not logged: %s", s.logs)
	}
	old := s.srv.IssueCode("auth_base")
	now := time.Now()
	s.srv.SetNow(func() time.Time { return now.Add(alipaytest.CodeTTL + time.Second) })
	_, err = s.callback(old)
	connectorstest.WantLoginError(t, err, alipay.CodeExpired)
}

func TestCallbackWithoutAuthCode(t *testing.T) {
	t.Parallel()
	s := open(t, false, alipay.ScopeBase, nil)
	// `code` is not Alipay's parameter.
	_, err := s.c.HandleCallback(context.Background(), httptest.NewRequest(http.MethodGet, "https://x/cb?state=x&code=abc", nil))
	connectorstest.WantLoginError(t, err, alipay.CodeDenied)
	_, err = s.c.HandleCallback(context.Background(), httptest.NewRequest(http.MethodGet, "https://x/cb?state=x&auth_code=abc&app_id=2021000000000009", nil))
	connectorstest.WantLoginError(t, err, alipay.CodeInvalid)
	if s.srv.Calls(alipay.MethodOAuthToken) != 0 {
		t.Fatal("a code of another app was sent to the gateway")
	}
}

func TestGatewayFaultsFailClosed(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the connector followed a redirect to %s", r.URL)
	}))
	defer other.Close()
	for _, tc := range []struct {
		name   string
		method string
		fault  alipaytest.Fault
		want   string
	}{
		{"bad signature", alipay.MethodOAuthToken, alipaytest.FaultBadSignature, alipay.CodeInvalid},
		{"bad signature on user info", alipay.MethodUserInfo, alipaytest.FaultBadSignature, alipay.CodeInvalid},
		{"re-encoded body", alipay.MethodUserInfo, alipaytest.FaultReencoded, alipay.CodeInvalid},
		{"unsigned error", alipay.MethodOAuthToken, alipaytest.FaultUnsigned, alipay.CodeInvalid},
		{"malformed JSON", alipay.MethodOAuthToken, alipaytest.FaultMalformed, alipay.CodeUnavailable},
		{"huge body", alipay.MethodOAuthToken, alipaytest.FaultHuge, alipay.CodeUnavailable},
		{"redirect to another host", alipay.MethodOAuthToken, alipaytest.FaultRedirect, alipay.CodeUnavailable},
		{"service unavailable", alipay.MethodOAuthToken, alipaytest.FaultUnavailable, alipay.CodeUnavailable},
		{"slow gateway", alipay.MethodOAuthToken, alipaytest.FaultSlow, alipay.CodeUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, false, alipay.ScopeUser, &http.Client{Timeout: 300 * time.Millisecond})
			s.srv.RedirectTo(other.URL + "/steal")
			s.srv.Fail(tc.method, tc.fault)
			id, err := s.callback(s.srv.IssueCode("auth_user"))
			if err == nil {
				t.Fatalf("login succeeded as %+v", id)
			}
			connectorstest.WantLoginError(t, err, tc.want)
		})
	}
}

func TestWrongAppKeyAndClockSkew(t *testing.T) {
	t.Parallel()
	s := open(t, true, alipay.ScopeBase, nil)
	now := time.Now()
	s.srv.SetNow(func() time.Time { return now.Add(time.Hour) })
	_, err := s.callback(s.srv.IssueCode("auth_base"))
	connectorstest.WantLoginError(t, err, alipay.CodeConfig)
	if !strings.Contains(s.logs.String(), "isv.invalid-timestamp") {
		t.Fatalf("logs: %s", s.logs)
	}

	// A gateway that knows another app key refuses the signature.
	srv := alipaytest.NewServer(alipaytest.Options{AppID: appID, AppKey: &alipaytest.GenerateKey().PublicKey})
	defer srv.Close()
	cfg := fmt.Sprintf("app_id: %q\nprivate_key: %s\nalipay_public_key: %s\nauthorize_url: %s\ngateway_url: %s\n",
		appID, quoted(alipaytest.PrivateKeyPEM(key())), quoted(srv.AlipayPublicKeyPEM()), srv.AuthorizeURL(), srv.GatewayURL())
	logs := &connectorstest.Logs{}
	c, err := alipay.Open(connectors.Spec{ID: "alipay", Config: yamlconfigtest.Node(t, cfg)}, connectors.Deps{Logger: logs})
	if err != nil {
		t.Fatal(err)
	}
	code := srv.IssueCode("auth_base")
	_, err = c.HandleCallback(context.Background(), httptest.NewRequest(http.MethodGet, "https://x/cb?auth_code="+code, nil))
	connectorstest.WantLoginError(t, err, alipay.CodeConfig)
	if l := logs.String(); !strings.Contains(l, "isv.invalid-signature") || strings.Contains(l, "PRIVATE KEY") {
		t.Fatalf("logs: %s", l)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	s := open(t, false, alipay.ScopeUser, &http.Client{Timeout: 300 * time.Millisecond})
	for _, f := range []alipaytest.Fault{alipaytest.FaultBadSignature, alipaytest.FaultSlow, alipaytest.FaultUnavailable, alipaytest.FaultRedirect} {
		s.srv.Fail(alipay.MethodOAuthToken, f)
		if _, err := s.callback(s.srv.IssueCode("auth_user")); err == nil {
			t.Fatal("login succeeded")
		} else if strings.Contains(err.Error(), "sign=") {
			t.Fatalf("error carries the request: %v", err)
		}
	}
	l := s.logs.String()
	pem := alipaytest.PrivateKeyPEM(key())
	body := strings.Split(pem, "\n")[1]
	if strings.Contains(l, body) || strings.Contains(l, "authusrB") || strings.Contains(l, "sign=") {
		t.Fatalf("secrets in logs: %s", l)
	}
}

func TestRootCertSNSkipsSM2AndECDSARoots(t *testing.T) {
	t.Parallel()
	srv := alipaytest.NewServer(alipaytest.Options{AppID: appID, AppKey: &key().PublicKey, CertMode: true})
	defer srv.Close()
	sn, err := alipay.RootCertSN(srv.RootCertPEM())
	if err != nil {
		t.Fatal(err)
	}
	if parts := strings.Split(sn, "_"); len(parts) != 2 || len(parts[0]) != 32 {
		t.Fatalf("alipay_root_cert_sn %q: want the two RSA roots' SNs", sn)
	}
	if _, err := alipay.RootCertSN("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"); err == nil {
		t.Fatal("a bundle without a usable root was accepted")
	}
}

func TestConfigErrorsNameTheirPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"{}", "connectors[2].config.app_id: required"},
		{"app_id: '2021'\n", "connectors[2].config.private_key: required"},
		{"app_id: abc", "connectors[2].config.app_id: must be the numeric APPID"},
		{"app_id: '2021'\nprivate_key: nonsense!", "connectors[2].config.private_key: neither PEM nor Base64"},
		{"app_id: '2021'\nalipay_public_key: x\nalipay_cert: y", "connectors[2].config.alipay_public_key: public-key mode and certificate mode exclude each other"},
		{"app_id: '2021'\nalipay_cert: y", "connectors[2].config.app_cert: required in certificate mode"},
		{"app_id: '2021'\nprivate_key: a\nprivate_key_file: b", "connectors[2].config.private_key: set private_key or private_key_file, not both"},
		{"app_id: '2021'\nprivate_key_file: /nonexistent/key.pem", "connectors[2].config.private_key_file: open /nonexistent/key.pem"},
		{"app_id: '2021'\nscope: auth_all", "connectors[2].config.scope: must be auth_user or auth_base"},
		{"app_id: '2021'\ngateway_url: http://openapi.alipay.com/gateway.do", "connectors[2].config.gateway_url: must be https"},
		{"app_id: '2021'\ntimeout: 1ms", "connectors[2].config.timeout: must be at least 1s"},
		{"app_id: '2021'\nlink_policy: auto", "connectors[2].config.link_policy: auto is not possible"},
		{"app_id: '2021'\nappid: x", "connectors[2].config.appid: unknown key"},
	} {
		_, err := alipay.Open(connectors.Spec{ID: "alipay", Config: yamlconfigtest.Node(t, tc.yaml), Path: "connectors[2].config"}, connectors.Deps{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.yaml, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "nonsense") {
			t.Errorf("the key material is echoed: %v", err)
		}
	}
}

func TestVerifyResponse(t *testing.T) {
	t.Parallel()
	s := open(t, false, alipay.ScopeUser, nil)
	pub := &s.srv.AlipayKey.PublicKey
	body := signed(t, s.srv.AlipayKey, `{"code":"10000","msg":"Success","avatar":"https:\/\/tfs.alipayobjects.com\/a","nick_name":"张三"}`)
	r, err := alipay.VerifyResponse(body, alipay.MethodUserInfo, pub, "")
	if err != nil || r.Member != "alipay_user_info_share_response" {
		t.Fatalf("%v %v", r, err)
	}
	// Unescaping the slashes breaks the signature.
	plain := []byte(strings.ReplaceAll(string(body), `\/`, `/`))
	if _, err := alipay.VerifyResponse(plain, alipay.MethodUserInfo, pub, ""); !errors.Is(err, alipay.ErrSignature) {
		t.Fatalf("re-encoded body: %v", err)
	}
	// Both members: ambiguous.
	both := []byte(strings.Replace(string(body), `{"alipay_user_info_share_response"`, `{"error_response":{},"alipay_user_info_share_response"`, 1))
	if _, err := alipay.VerifyResponse(both, alipay.MethodUserInfo, pub, ""); err == nil {
		t.Fatal("two members accepted")
	}
}
