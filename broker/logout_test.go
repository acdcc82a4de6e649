package broker_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/cas/castest"
)

// deliveryWait bounds how long a logout token may take to arrive.
const deliveryWait = 10 * time.Second

// withBackchannel registers the logout RP's endpoint for the demo client,
// logout tokens with sid required, and retries for retryFor.
func withBackchannel(rp *bt.LogoutRP, retryFor time.Duration, more ...func(*config.Config)) func(*config.Config) {
	return func(c *config.Config) {
		c.Clients[0].BackchannelLogoutURI = rp.URL
		c.Clients[0].BackchannelLogoutSessionRequired = true
		c.Logout.BackchannelRetryFor = retryFor
		for _, m := range more {
			m(c)
		}
	}
}

// wantLogoutOf checks that tok logs out the login whose ID token claims
// are claims: same subject, same session.
func wantLogoutOf(t *testing.T, tok bt.LogoutToken, claims map[string]any) {
	t.Helper()
	if tok.Sub() != claims["sub"] {
		t.Errorf("logout token sub %q, want the ID token's %v", tok.Sub(), claims["sub"])
	}
	if sid, _ := claims["sid"].(string); sid == "" || tok.SID() != sid {
		t.Errorf("logout token sid %q, want the ID token's %v", tok.SID(), claims["sid"])
	}
}

// noMore fails if the RP receives anything more within a while: each
// delivery is sent once.
func noMore(t *testing.T, rp *bt.LogoutRP, want int) {
	t.Helper()
	time.Sleep(1500 * time.Millisecond)
	if got := rp.Accepted(); len(got) != want {
		t.Fatalf("%d logout tokens accepted, want exactly %d (no duplicates)", len(got), want)
	}
}

func endSession(t *testing.T, b *bt.Broker, br *bt.Browser, idToken string) *url.URL {
	t.Helper()
	q := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {bt.PostLogoutURI}, "state": {"bye"}}
	loc, err := br.Get(b.URL + "/end_session?" + q.Encode())
	if err != nil {
		t.Fatalf("end_session: %v", err)
	}
	return loc
}

// TestBackchannelLogoutAtEndSession: the user logs out at end_session;
// the RP's endpoint receives one verified logout token naming the login's
// subject and session, and the ID token carried that sid.
func TestBackchannelLogoutAtEndSession(t *testing.T) {
	withPostgres(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		lrp := bt.NewLogoutRP(t)
		b := start(t, bt.Options{Edit: withBackchannel(lrp, time.Minute)})
		lrp.Verify(b.URL, bt.ClientID)
		rp := bt.NewRP(t, b.URL)
		br := bt.NewBrowser(t)
		_, tok, claims := login(t, b, rp, br)
		// A second client of the same session (SSO) shares its sid.
		_, _, again := login(t, b, rp, br)
		if claims["sid"] == nil || again["sid"] != claims["sid"] {
			t.Fatalf("sid %v then %v, want one sid per SSO session", claims["sid"], again["sid"])
		}
		_, _, other := login(t, b, rp, bt.NewBrowser(t))
		if other["sid"] == claims["sid"] {
			t.Fatalf("two browsers share sid %v", claims["sid"])
		}
		for _, c := range br.Client.Jar.Cookies(mustURL(t, b.URL)) {
			if strings.Contains(c.Value, claims["sid"].(string)) || strings.Contains(claims["sid"].(string), c.Value) {
				t.Fatalf("sid %v is derived visibly from cookie %s", claims["sid"], c.Name)
			}
		}

		began := time.Now()
		loc := endSession(t, b, br, tok.Extra("id_token").(string))
		if loc == nil || !strings.HasPrefix(loc.String(), bt.PostLogoutURI) || loc.Query().Get("state") != "bye" {
			t.Fatalf("end_session went to %v, want the post-logout URI", loc)
		}
		if d := time.Since(began); d > 2*time.Second {
			t.Errorf("end_session took %v", d)
		}
		got := lrp.Wait(1, deliveryWait)
		wantLogoutOf(t, got[0], claims)
		// The other browser's session is untouched; nothing is sent twice,
		// not even when the same session is logged out again.
		endSession(t, b, br, tok.Extra("id_token").(string))
		noMore(t, lrp, 1)
	})
}

// TestBackchannelLogoutDownRPIsNotWaitedFor: an RP that does not answer
// does not slow the user's logout; it gets its token once it is up.
func TestBackchannelLogoutDownRPIsNotWaitedFor(t *testing.T) {
	t.Parallel()
	lrp := bt.NewLogoutRP(t)
	lrp.SetDown(true)
	b := bt.Start(t, bt.Options{Edit: withBackchannel(lrp, 30*time.Second)})
	lrp.Verify(b.URL, bt.ClientID)
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	_, tok, claims := login(t, b, rp, br)
	start := time.Now()
	endSession(t, b, br, tok.Extra("id_token").(string))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("end_session with the RP down took %v", d)
	}
	waitFor(t, "two failed attempts", func() bool { return lrp.Attempts() >= 2 })
	lrp.SetDown(false)
	got := lrp.Wait(1, deliveryWait)
	wantLogoutOf(t, got[0], claims)
	noMore(t, lrp, 1)

	// /metrics counts the failed attempts and the one sent.
	resp, err := http.Get(b.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics := readAll(t, resp)
	for _, want := range []string{`gjjid_backchannel_logout_total{result="sent"} 1`, `gjjid_backchannel_logout_total{result="dropped"} 0`,
		`gjjid_backchannel_logout_pending 0`} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, `gjjid_backchannel_logout_total{result="failed"} 0`+"\n") || strings.Contains(metrics, `gjjid_backchannel_logout_total{result="failed"} 1`+"\n") {
		t.Errorf("/metrics does not count the failed attempts (at least 2)")
	}
}

// TestBackchannelLogoutAfterRestart: two brokers on one Redis. The first
// queues the logout while the RP is down and is stopped; the RP comes up
// and the second broker, started afterwards, delivers the token once.
func TestBackchannelLogoutAfterRestart(t *testing.T) {
	t.Parallel()
	lrp := bt.NewLogoutRP(t)
	lrp.SetDown(true)
	shared := bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t), Edit: withBackchannel(lrp, time.Minute)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	o1 := shared
	o1.Listener = ln
	b1 := bt.Start(t, o1)
	lrp.Verify(b1.URL, bt.ClientID)
	rp := bt.NewRP(t, b1.URL)
	br := bt.NewBrowser(t)
	_, tok, claims := login(t, b1, rp, br)
	endSession(t, b1, br, tok.Extra("id_token").(string))
	waitFor(t, "a failed attempt", func() bool { return lrp.Attempts() >= 1 })
	b1.Stop()
	pending := lrp.Attempts()

	lrp.SetDown(false)
	time.Sleep(500 * time.Millisecond)
	if lrp.Attempts() != pending {
		t.Fatal("a stopped broker still delivers")
	}
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	o2 := shared
	o2.Listener = ln2
	b2 := bt.Start(t, o2)
	if b2.URL != b1.URL {
		t.Fatalf("issuer changed: %s, %s", b1.URL, b2.URL)
	}
	got := lrp.Wait(1, deliveryWait)
	wantLogoutOf(t, got[0], claims)
	noMore(t, lrp, 1)
}

// TestBackchannelLogoutTriggers: an administrator's revocation, a disabled
// agent, a disabled unit and a password reset each send the RP a logout
// token for the agent's login.
func TestBackchannelLogoutTriggers(t *testing.T) {
	t.Parallel()
	lrp := bt.NewLogoutRP(t)
	b := bt.Start(t, bt.Options{Edit: withBackchannel(lrp, time.Minute)})
	lrp.Verify(b.URL, bt.ClientID)
	rp := bt.NewRP(t, b.URL)
	api := bt.NewAdminAPI(t, b.URL)
	triggers := []struct {
		name  string
		do    func(sub string)
		after func(sub string)
	}{
		{"admin revokes the principal", func(sub string) {
			api.Want(http.StatusOK, "POST", "/admin/v1/principals/"+sub+"/revoke", nil, nil)
		}, nil},
		{"agent disabled", func(sub string) {
			api.Want(http.StatusOK, "PATCH", "/admin/v1/units/"+bt.UnitID+"/agents/"+sub, map[string]any{"status": "disabled"}, nil)
		}, func(sub string) {
			api.Want(http.StatusOK, "PATCH", "/admin/v1/units/"+bt.UnitID+"/agents/"+sub, map[string]any{"status": "active"}, nil)
		}},
		{"unit disabled", func(string) {
			api.Want(http.StatusOK, "PATCH", "/admin/v1/units/"+bt.UnitID, map[string]any{"status": "disabled"}, nil)
		}, func(string) {
			api.Want(http.StatusOK, "PATCH", "/admin/v1/units/"+bt.UnitID, map[string]any{"status": "active"}, nil)
		}},
		{"password reset", func(sub string) {
			api.Want(http.StatusNoContent, "PUT", "/admin/v1/persons/"+sub+"/password", map[string]any{"password": bt.AgentPassword}, nil)
		}, nil},
	}
	for i, tr := range triggers {
		// Each login is a fresh browser session after the last trigger.
		time.Sleep(1100 * time.Millisecond) // a revocation mark covers its own second
		_, _, claims := login(t, b, rp, bt.NewBrowser(t))
		sub := claims["sub"].(string)
		tr.do(sub)
		got := lrp.Wait(i+1, deliveryWait)
		if len(got) != i+1 {
			t.Fatalf("%s: %d tokens in all, want %d", tr.name, len(got), i+1)
		}
		wantLogoutOf(t, got[i], claims)
		if tr.after != nil {
			tr.after(sub)
		}
	}
	noMore(t, lrp, len(triggers))

	// The audit trail has each queued and each delivered token.
	var events struct {
		Items []map[string]any `json:"items"`
	}
	api.Want(http.StatusOK, "GET", "/admin/v1/audit?type=logout.backchannel&limit=100", nil, &events)
	counts := map[string]int{}
	for _, e := range events.Items {
		if e["client"] != bt.ClientID || e["outcome"] != "success" {
			t.Errorf("audit event %v: want client %s, outcome success", e, bt.ClientID)
		}
		counts[e["action"].(string)]++
	}
	if counts["logout.queue"] != len(triggers) || counts["logout.deliver"] != len(triggers) {
		t.Errorf("audit actions %v, want %d queued and %d delivered", counts, len(triggers), len(triggers))
	}
}

// TestBackchannelLogoutOnCASSingleLogout: CAS's single logout ends the
// broker session and the RP of that session gets its logout token.
func TestBackchannelLogoutOnCASSingleLogout(t *testing.T) {
	t.Parallel()
	srv := castest.NewServer(casUsers()[1])
	t.Cleanup(srv.Close)
	lrp := bt.NewLogoutRP(t)
	o := withCAS(t, srv)
	o.Edit = withBackchannel(lrp, time.Minute, o.Edit)
	b := bt.Start(t, o)
	lrp.Verify(b.URL, bt.ClientID)
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	idt := casLogin(t, b, rp, br)
	tok, err := rp.Verifier.Verify(t.Context(), idt)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if _, err := br.Get(srv.URL + "/logout"); err != nil {
		t.Fatal(err)
	}
	if errs := srv.SingleLogoutErrors(); len(errs) > 0 {
		t.Fatalf("single logout: %v", errs)
	}
	got := lrp.Wait(1, deliveryWait)
	wantLogoutOf(t, got[0], claims)
	noMore(t, lrp, 1)
}

// TestFrontchannelLogout: end_session sends the browser to the logged-out
// page, which frames the front-channel logout URI of each client of the
// session (with iss and sid when asked for), allows exactly their origins
// in its CSP frame-src and then continues to the post-logout URI.
func TestFrontchannelLogout(t *testing.T) {
	t.Parallel()
	const fcID, fcSecret = "fc-rp", "fc-rp-secret"
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		c.Clients[0].FrontchannelLogoutURI = "https://wt.example.cn/oidc/frontchannel-logout?from=sso"
		c.Clients[0].FrontchannelLogoutSessionRequired = true
		c.Clients = append(c.Clients, config.Client{ID: fcID, Name: "提取系统", Secret: fcSecret, ApplicationType: "web",
			AuthMethod: "client_secret_basic", RedirectURIs: []string{bt.RedirectURI}, GrantTypes: []string{"authorization_code"},
			FrontchannelLogoutURI: "http://127.0.0.1:9/fcl"})
	}})
	rp := bt.NewRP(t, b.URL)
	rp2 := *rp
	rp2.OAuth2.ClientID, rp2.OAuth2.ClientSecret = fcID, fcSecret
	rp2.OAuth2.Scopes = []string{oidc.ScopeOpenID}
	rp2.Verifier = rp.Provider.Verifier(&oidc.Config{ClientID: fcID})
	br := bt.NewBrowser(t)
	_, tok, claims := login(t, b, rp, br)
	login(t, b, &rp2, br) // SSO: the second client joins the session
	sid := claims["sid"].(string)

	// end_session answers with the logged-out page, not the RP.
	noFollow := &http.Client{Jar: br.Client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"id_token_hint": {tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {bt.PostLogoutURI}, "state": {"bye"}}
	resp, err := noFollow.Get(b.URL + "/end_session?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	page, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(page.String(), b.URL+"/logged-out?fc=") {
		t.Fatalf("end_session went to %q, want the logged-out page with front-channel frames", resp.Header.Get("Location"))
	}
	resp, err = noFollow.Get(page.String())
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logged-out page: %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasSuffix(csp, "; frame-src https://wt.example.cn http://127.0.0.1:9") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q, want default-src 'none' and frame-src of exactly the two registered origins", csp)
	}
	want1 := "https://wt.example.cn/oidc/frontchannel-logout?from=sso&amp;iss=" + url.QueryEscape(b.URL) + "&amp;sid=" + sid
	for _, w := range []string{`src="` + want1 + `"`, `src="http://127.0.0.1:9/fcl"`, `id="continue"`, url.QueryEscape("bye")} {
		if !strings.Contains(body, w) {
			t.Errorf("logged-out page lacks %s:\n%s", w, body)
		}
	}
	if n := strings.Count(body, "<iframe"); n != 2 {
		t.Errorf("%d iframes, want 2", n)
	}
	if !strings.Contains(body, `href="`+bt.PostLogoutURI+`?state=bye"`) {
		t.Errorf("the page does not continue to the post-logout URI:\n%s", body)
	}
	// The page without a logout of its own frames nothing.
	resp, err = http.Get(b.URL + "/logged-out?fc=forged")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); strings.Contains(body, "<iframe") || strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-src") {
		t.Errorf("a forged state framed something: %s", body)
	}
	// The session is gone.
	if loc, _ := br.Get(rp.NewFlow(oauth2.SetAuthURLParam("prompt", "none")).URL); loc == nil || loc.Query().Get("error") != "login_required" {
		t.Fatalf("after front-channel logout prompt=none: %v", loc)
	}
}

// TestLogoutDiscovery: discovery advertises both logout mechanisms with
// sessions, and sid among the claims.
func TestLogoutDiscovery(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	var doc map[string]any
	rp := bt.NewRP(t, b.URL)
	if err := rp.Provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"backchannel_logout_supported", "backchannel_logout_session_supported",
		"frontchannel_logout_supported", "frontchannel_logout_session_supported"} {
		if doc[k] != true {
			t.Errorf("discovery %s = %v, want true", k, doc[k])
		}
	}
	if !strings.Contains(strings.Join(toStrings(doc["claims_supported"]), " "), "sid") {
		t.Errorf("claims_supported %v lacks sid", doc["claims_supported"])
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(deliveryWait)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
