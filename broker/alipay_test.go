package broker_test

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/alipay"
	"github.com/gjjid/gjjid/connectors/alipay/alipaytest"
)

const alipayAppID = "2021004100000001"

var (
	alipayKeyOnce sync.Once
	alipayAppKey  *rsa.PrivateKey
)

// alipayKey is one application key for the package (RSA generation is slow).
func alipayKey() *rsa.PrivateKey {
	alipayKeyOnce.Do(func() { alipayAppKey = alipaytest.GenerateKey() })
	return alipayAppKey
}

// withAlipay configures connector "alipay" against srv as the demo
// client's only method; password (and nothing else) proves the person.
func withAlipay(t *testing.T, srv *alipaytest.Server, certMode bool) bt.Options {
	t.Helper()
	cfg := fmt.Sprintf("app_id: %q\nprivate_key: %q\nauthorize_url: %s\ngateway_url: %s\n",
		alipayAppID, alipaytest.PrivateKeyPEM(alipayKey()), srv.AuthorizeURL(), srv.GatewayURL())
	if certMode {
		cfg += fmt.Sprintf("app_cert: %q\nalipay_cert: %q\nalipay_root_cert: %q\n", srv.AppCertPEM(), srv.AlipayCertPEM(), srv.RootCertPEM())
	} else {
		cfg += fmt.Sprintf("alipay_public_key: %q\n", srv.AlipayPublicKeyPEM())
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(cfg), &n); err != nil {
		t.Fatal(err)
	}
	return bt.Options{Edit: func(c *config.Config) {
		c.Connectors = append(c.Connectors, config.Connector{ID: "alipay", Type: alipay.Type, Config: *n.Content[0]})
		c.Clients[0].Connectors = []string{"alipay"}
	}}
}

func newAlipay(t *testing.T, certMode bool) *alipaytest.Server {
	srv := alipaytest.NewServer(alipaytest.Options{AppID: alipayAppID, AppKey: &alipayKey().PublicKey, CertMode: certMode})
	t.Cleanup(srv.Close)
	return srv
}

// bindByPassword proves the demo agent on the binding page the browser shows.
func bindByPassword(t *testing.T, b *bt.Broker, br *bt.Browser, connectorName string) *url.URL {
	t.Helper()
	if !strings.Contains(br.Page, "绑定经办人账户") || !strings.Contains(br.Page, connectorName) {
		t.Fatalf("want the binding page for %s (status %d): %.1500s", connectorName, br.Last, br.Page)
	}
	action, form, err := br.Form(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	form.Set("user", bt.AgentIDNumber)
	form.Set("secret", bt.AgentPassword)
	loc, err := br.Post(action, form)
	if err != nil || loc == nil {
		t.Fatalf("binding: %v %v %.500s", loc, err, br.Page)
	}
	return loc
}

func TestAlipayLoginSelfBindThenStraightThrough(t *testing.T) {
	for _, mode := range []string{"public-key", "cert"} {
		t.Run(mode, func(t *testing.T) {
			backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
				srv := newAlipay(t, mode == "cert")
				logs := &bt.LogBuffer{}
				o := withAlipay(t, srv, mode == "cert")
				o.Log = logs
				b := start(t, o)
				rp := bt.NewRP(t, b.URL)

				// First login: Alipay answers, the identity is unknown, the
				// binding page proves the agent once.
				br := bt.NewBrowser(t)
				f := rp.NewFlow()
				if loc, err := br.Get(f.URL); err != nil || loc != nil {
					t.Fatalf("first login went to %v (%v), want the binding page", loc, err)
				}
				claims := exchange(t, rp, f, bindByPassword(t, b, br, "支付宝登录"))
				if claims["idp"] != "alipay" || claims["name"] != bt.AgentName || claims["unit_id"] != bt.UnitID || claims["acr"] != alipay.DefaultACR {
					t.Fatalf("claims %v", claims)
				}
				sub := claims["sub"].(string)

				// Second login, another browser: the link answers at once.
				f2 := rp.NewFlow()
				loc, err := bt.NewBrowser(t).Get(f2.URL)
				if err != nil || loc == nil {
					t.Fatalf("linked login: %v %v", loc, err)
				}
				if c2 := exchange(t, rp, f2, loc); c2["sub"] != sub {
					t.Fatalf("second login as %v, want %v", c2["sub"], sub)
				}
				var links listPage[map[string]any]
				bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, "GET", "/admin/v1/links?principal="+sub, nil, &links)
				if len(links.Items) != 1 || links.Items[0]["subject"] != alipayAppID+":"+alipaytest.DefaultUser.OpenID {
					t.Fatalf("links %v", links.Items)
				}
				l := logs.String()
				if strings.Contains(l, "authusrB") || strings.Contains(l, strings.Split(alipaytest.PrivateKeyPEM(alipayKey()), "\n")[1]) {
					t.Fatalf("token or key in the log")
				}
			})
		})
	}
}

// stopAtCallback makes br stop before the broker's connector callback, so
// a test holds the callback URL the upstream sent.
func stopAtCallback(br *bt.Browser) func() {
	next := br.Client.CheckRedirect
	br.Client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasSuffix(req.URL.Path, "/callback") && strings.HasPrefix(req.URL.Path, "/login/") {
			return http.ErrUseLastResponse
		}
		return next(req, via)
	}
	return func() { br.Client.CheckRedirect = next }
}

func TestAlipayCallbackStateAndReplay(t *testing.T) {
	t.Parallel()
	srv := newAlipay(t, false)
	b := bt.Start(t, withAlipay(t, srv, false))
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	resume := stopAtCallback(br)
	cb, err := br.Get(rp.NewFlow().URL)
	if err != nil || cb == nil || cb.Query().Get("auth_code") == "" {
		t.Fatalf("no callback captured: %v %v", cb, err)
	}
	resume()

	// CSRF: the same auth_code with a state this browser was never given.
	forged := *cb
	q := forged.Query()
	q.Set("state", "forged-state-forged-state-forged-state-0123")
	forged.RawQuery = q.Encode()
	if loc, _ := br.Get(forged.String()); loc != nil || br.Last != http.StatusBadRequest {
		t.Fatalf("forged state: %v %d", loc, br.Last)
	}
	// The genuine callback works once …
	if loc, _ := br.Get(cb.String()); loc != nil || !strings.Contains(br.Page, "绑定经办人账户") {
		t.Fatalf("genuine callback: %v %d %.300s", loc, br.Last, br.Page)
	}
	// … and a second callback with the same state is refused before the
	// code reaches Alipay again.
	calls := srv.Calls(alipay.MethodOAuthToken)
	if loc, _ := br.Get(cb.String()); loc != nil || br.Last != http.StatusBadRequest {
		t.Fatalf("replayed callback: %v %d", loc, br.Last)
	}
	if srv.Calls(alipay.MethodOAuthToken) != calls {
		t.Fatal("a replayed callback reached the gateway")
	}
}

func TestAlipayBadSignatureFailsClosed(t *testing.T) {
	t.Parallel()
	srv := newAlipay(t, true)
	b := bt.Start(t, withAlipay(t, srv, true))
	rp := bt.NewRP(t, b.URL)
	// A refused answer is 403, an unreadable one a failed upstream (502).
	for f, status := range map[alipaytest.Fault]int{alipaytest.FaultBadSignature: http.StatusForbidden, alipaytest.FaultMalformed: http.StatusBadGateway} {
		srv.Fail(alipay.MethodOAuthToken, f)
		br := bt.NewBrowser(t)
		if loc, _ := br.Get(rp.NewFlow().URL); loc != nil || br.Last != status || strings.Contains(br.Page, "绑定经办人账户") {
			t.Fatalf("fault %d: %v %d %.300s", f, loc, br.Last, br.Page)
		}
	}
	// A re-encoded user info reply (slashes unescaped) is refused too.
	srv.Fail(alipay.MethodUserInfo, alipaytest.FaultReencoded)
	br := bt.NewBrowser(t)
	if loc, _ := br.Get(rp.NewFlow().URL); loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, "无法验证支付宝返回的结果") {
		t.Fatalf("re-encoded: %v %d %.300s", loc, br.Last, br.Page)
	}
	var links listPage[map[string]any]
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, "GET", "/admin/v1/links?connector=alipay", nil, &links)
	if len(links.Items) != 0 {
		t.Fatalf("failed logins stored links: %v", links.Items)
	}
}
