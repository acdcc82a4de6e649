package broker_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/sms"
)

// withUpstream adds a fake redirect connector "fake" with the link policy
// and makes it the demo client's only method; the password connector (and
// an SMS one with the log sender) stay configured, to prove a person.
func withUpstream(t *testing.T, up *bt.FakeUpstream, policy string) bt.Options {
	var n, smsCfg yaml.Node
	if err := yaml.Unmarshal([]byte("link_policy: "+policy), &n); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte("sender:\n  type: log\n"), &smsCfg); err != nil {
		t.Fatal(err)
	}
	return bt.Options{Connectors: up.Registry(), Edit: func(c *config.Config) {
		c.Connectors = append(c.Connectors,
			config.Connector{ID: "fake", Type: bt.FakeUpstreamType, Name: "测试外部登录", NameEN: "Test upstream", Config: n},
			config.Connector{ID: "sms", Type: sms.Type, Name: "短信验证码登录", NameEN: "Text message code", Config: smsCfg})
		c.Clients[0].Connectors = []string{"fake"}
	}}
}

// exchange finishes a flow that reached the relying party.
func exchange(t *testing.T, rp *bt.RP, f bt.Flow, loc *url.URL) map[string]any {
	t.Helper()
	code, err := rp.Callback(f, loc)
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
	_, idt, err := rp.Exchange(context.Background(), f, code)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestSelfBind(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		up := bt.NewFakeUpstream(t)
		b := start(t, withUpstream(t, up, "self-bind"))
		rp := bt.NewRP(t, b.URL)
		up.As("alipay-2088-0001")

		// First login: the upstream identity is unknown, the binding page asks.
		br := bt.NewBrowser(t)
		f := rp.NewFlow()
		if loc, err := br.Get(f.URL); err != nil || loc != nil {
			t.Fatalf("first login went to %v (%v), want the binding page", loc, err)
		}
		if !strings.Contains(br.Page, "绑定经办人账户") || !strings.Contains(br.Page, "测试外部登录") {
			t.Fatalf("binding page: %.1500s", br.Page)
		}
		action, form, err := br.Form(b.URL)
		if err != nil {
			t.Fatal(err)
		}
		form.Set("user", bt.AgentIDNumber)
		form.Set("secret", "000001")
		if loc, err := br.Post(action, form); err != nil || loc != nil || !strings.Contains(br.Page, "密码错误") {
			t.Fatalf("wrong password: %v %v %.800s", loc, err, br.Page)
		}
		form.Set("secret", bt.AgentPassword)
		loc, err := br.Post(action, form)
		if err != nil {
			t.Fatal(err)
		}
		claims := exchange(t, rp, f, loc)
		if claims["idp"] != "fake" || claims["name"] != bt.AgentName || claims["unit_id"] != bt.UnitID {
			t.Fatalf("bound login claims %v", claims)
		}
		if amr, _ := claims["amr"].([]any); !slices.Contains(amr, any("fake")) {
			t.Fatalf("amr %v: want the upstream's method", claims["amr"])
		}
		sub := claims["sub"].(string)

		// The ticket is spent: posting the form again does not bind twice.
		if loc, _ := br.Post(action, form); loc != nil || br.Last != http.StatusBadRequest {
			t.Fatalf("replayed binding: %v %d", loc, br.Last)
		}

		// Next time, in another browser, the link answers at once.
		f2 := rp.NewFlow()
		loc, err = bt.NewBrowser(t).Get(f2.URL)
		if err != nil || loc == nil {
			t.Fatalf("linked login: %v %v", loc, err)
		}
		if c2 := exchange(t, rp, f2, loc); c2["sub"] != sub {
			t.Fatalf("linked login as %v, want %v", c2["sub"], sub)
		}

		admin := bt.NewAdminAPI(t, b.URL)
		var links listPage[map[string]any]
		admin.Want(http.StatusOK, "GET", "/admin/v1/links?principal="+sub, nil, &links)
		if len(links.Items) != 1 || links.Items[0]["created_by"] != "self-bind" || links.Items[0]["subject"] != "alipay-2088-0001" {
			t.Fatalf("links of %s: %v", sub, links.Items)
		}
		var events listPage[map[string]any]
		admin.Want(http.StatusOK, "GET", "/admin/v1/audit?type=link.create&principal="+sub, nil, &events)
		if len(events.Items) != 1 || events.Items[0]["action"] != "self-bind" {
			t.Fatalf("self-bind audit: %v", events.Items)
		}
		var failures listPage[map[string]any]
		admin.Want(http.StatusOK, "GET", "/admin/v1/audit?type=login.failure", nil, &failures)
		if len(failures.Items) != 1 || failures.Items[0]["subject"] != "510***********1236" || failures.Items[0]["reason"] != "invalid_credentials" {
			t.Fatalf("failed proof audit: %v", failures.Items)
		}
	})
}

func TestSelfBindBySMSCode(t *testing.T) {
	t.Parallel()
	up := bt.NewFakeUpstream(t)
	logs := &bt.LogBuffer{}
	o := withUpstream(t, up, "self-bind")
	o.Log = logs
	b := bt.Start(t, o)
	rp := bt.NewRP(t, b.URL)
	up.As("wechat-union-42")
	br := bt.NewBrowser(t)
	f := rp.NewFlow()
	if _, err := br.Get(f.URL); err != nil {
		t.Fatal(err)
	}
	// Switch the proof to the SMS connector, ask for a code, enter it.
	if _, err := br.Get(b.URL + regexpFind(t, br.Page, `href="(/login/bind\?[^"]*via=sms[^"]*)"`)); err != nil {
		t.Fatal(err)
	}
	action, form, err := br.Form(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	form.Set("user", bt.AgentMobile)
	form.Set("action", "send")
	if loc, err := br.Post(action, form); err != nil || loc != nil || !strings.Contains(br.Page, "验证码已发送") {
		t.Fatalf("send code: %v %v %.800s", loc, err, br.Page)
	}
	form.Del("action")
	form.Set("secret", codeInLog(t, logs))
	loc, err := br.Post(action, form)
	if err != nil {
		t.Fatal(err)
	}
	if claims := exchange(t, rp, f, loc); claims["name"] != bt.AgentName || claims["idp"] != "fake" {
		t.Fatalf("claims %v", claims)
	}
}

func TestLinkPolicies(t *testing.T) {
	t.Parallel()
	up := bt.NewFakeUpstream(t)
	b := bt.Start(t, withUpstream(t, up, "bound"))
	rp := bt.NewRP(t, b.URL)
	up.As("sha256:" + strings.Repeat("ab", 32))

	// bound: refused until an administrator binds the identity.
	br := bt.NewBrowser(t)
	if loc, err := br.Get(rp.NewFlow().URL); err != nil || loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, "柜台") {
		t.Fatalf("unbound identity: %v %v %d %.600s", loc, err, br.Last, br.Page)
	}
	admin := bt.NewAdminAPI(t, b.URL)
	var p map[string]any
	admin.Want(http.StatusOK, "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": bt.AgentIDNumber}, &p)
	admin.Want(http.StatusCreated, "POST", "/admin/v1/links", map[string]any{"connector": "fake", "kind": "agent",
		"person_id": p["id"], "unit_id": bt.UnitID, "certificate": map[string]any{"fingerprint_sha256": strings.Repeat("AB", 32)}}, nil)
	f := rp.NewFlow()
	loc, err := bt.NewBrowser(t).Get(f.URL)
	if err != nil || loc == nil {
		t.Fatalf("bound identity: %v %v", loc, err)
	}
	if claims := exchange(t, rp, f, loc); claims["sub"] != p["id"] || claims["unit_id"] != bt.UnitID {
		t.Fatalf("bound login claims %v", claims)
	}
	// Disabling the agent record stops the binding from logging in.
	admin.Want(http.StatusOK, "PATCH", "/admin/v1/units/"+bt.UnitID+"/agents/"+p["id"].(string), map[string]any{"status": "disabled"}, nil)
	br = bt.NewBrowser(t)
	if loc, _ := br.Get(rp.NewFlow().URL); loc != nil || br.Last != http.StatusForbidden {
		t.Fatalf("binding of a disabled agent: %v %d", loc, br.Last)
	}

	// An upstream refusal (the client's only method) goes back to the
	// relying party as access_denied (upstream_refusal_test.go).
	up.As("error")
	br = bt.NewBrowser(t)
	if loc, _ := br.Get(rp.NewFlow().URL); loc == nil || loc.Query().Get("error") != "access_denied" {
		t.Fatalf("upstream error: %v %d %.500s", loc, br.Last, br.Page)
	}
}

func TestRedirectCallbackState(t *testing.T) {
	t.Parallel()
	up := bt.NewFakeUpstream(t)
	b := bt.Start(t, withUpstream(t, up, "self-bind"))
	rp := bt.NewRP(t, b.URL)
	cb := b.URL + "/login/fake/callback"

	// Unknown and missing states.
	for _, u := range []string{cb + "?code=x", cb + "?code=x&state=forged"} {
		br := bt.NewBrowser(t)
		if loc, _ := br.Get(u); loc != nil || br.Last != http.StatusBadRequest {
			t.Errorf("%s: %v %d, want 400", u, loc, br.Last)
		}
	}
	// Stop at the upstream to capture a genuine state.
	br := bt.NewBrowser(t)
	stop := br.Client.CheckRedirect
	br.Client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == strings.TrimPrefix(up.Server.URL, "http://") {
			return http.ErrUseLastResponse
		}
		return stop(req, via)
	}
	loc, err := br.Get(rp.NewFlow().URL)
	if err != nil || loc == nil {
		t.Fatalf("no redirect to the upstream: %v %v", loc, err)
	}
	state := loc.Query().Get("state")
	if len(state) < 43 {
		t.Fatalf("state %q: want at least 256 random bits", state)
	}
	// Relayed to another browser: refused, and the state is spent.
	other := bt.NewBrowser(t)
	if loc, _ := other.Get(cb + "?code=x&state=" + state); loc != nil || other.Last != http.StatusBadRequest {
		t.Fatalf("state from another browser: %v %d", loc, other.Last)
	}
	br.Client.CheckRedirect = stop
	if loc, _ := br.Get(cb + "?code=x&state=" + state); loc != nil || br.Last != http.StatusBadRequest {
		t.Fatalf("spent state: %v %d", loc, br.Last)
	}
}

// regexpFind returns the first group of re in s.
func regexpFind(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in %.1000s", re, s)
	}
	return html.UnescapeString(m[1])
}
