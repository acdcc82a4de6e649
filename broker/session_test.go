package broker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

func TestPromptNoneWithoutSession(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		f := rp.NewFlow(oauth2.SetAuthURLParam("prompt", "none"))
		loc, err := bt.NewBrowser(t).Get(f.URL)
		if err != nil || loc == nil {
			t.Fatalf("want an error redirect: %v %v", loc, err)
		}
		q := loc.Query()
		if q.Get("error") != "login_required" || q.Get("state") != f.State || q.Get("iss") != b.URL {
			t.Fatalf("redirect = %s", loc)
		}
	})
}

func TestSSOSessionAndEndSession(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		br := bt.NewBrowser(t)
		_, tok, claims := login(t, b, rp, br)

		// A second request is answered from the session without a form;
		// prompt=none too.
		for _, extra := range [][]oauth2.AuthCodeOption{nil, {oauth2.SetAuthURLParam("prompt", "none")}} {
			f := rp.NewFlow(extra...)
			loc, err := br.Get(f.URL)
			if err != nil {
				t.Fatal(err)
			}
			code, err := rp.Callback(f, loc)
			if err != nil {
				t.Fatalf("SSO: %v (page %d %.200s)", err, br.Last, br.Page)
			}
			if _, idt, err := rp.Exchange(context.Background(), f, code); err != nil || idt.Subject != claims["sub"] {
				t.Fatalf("SSO exchange: %v", err)
			}
		}
		// prompt=login and max_age=0 ask again.
		for _, p := range []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "0")} {
			f := rp.NewFlow(p)
			loc, err := br.Get(f.URL)
			if err != nil || loc != nil || !strings.Contains(br.Page, `name="secret"`) {
				t.Fatalf("want the login form again, got %v %v", loc, err)
			}
		}

		// RP-initiated logout: validated post_logout_redirect_uri, state echoed.
		q := url.Values{"id_token_hint": {tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {bt.PostLogoutURI}, "state": {"bye"}}
		loc, err := br.Get(b.URL + "/end_session?" + q.Encode())
		if err != nil || loc == nil || !strings.HasPrefix(loc.String(), bt.PostLogoutURI) || loc.Query().Get("state") != "bye" {
			t.Fatalf("end_session redirect = %v %v (%d %.200s)", loc, err, br.Last, br.Page)
		}
		for _, c := range br.Client.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(b.URL, "http://")}) {
			if c.Name == "gjjid_session" {
				t.Errorf("session cookie kept after logout")
			}
		}
		f := rp.NewFlow(oauth2.SetAuthURLParam("prompt", "none"))
		loc, _ = br.Get(f.URL)
		if loc == nil || loc.Query().Get("error") != "login_required" {
			t.Fatalf("after logout prompt=none: %v", loc)
		}

		// An unregistered post-logout URI is not followed.
		q.Set("post_logout_redirect_uri", "https://evil.example/")
		loc, _ = br.Get(b.URL + "/end_session?" + q.Encode())
		if loc != nil && strings.HasPrefix(loc.String(), "https://evil.example") {
			t.Fatalf("open redirect at end_session: %v", loc)
		}
	})
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		br := bt.NewBrowser(t)
		f := rp.NewFlow()
		if _, err := br.Get(f.URL); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			loc, err := br.SubmitPassword(b.URL, bt.AgentIDNumber, "135790")
			if err != nil || loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, `id="error"`) {
				t.Fatalf("failure %d: %v %v %d", i+1, loc, err, br.Last)
			}
		}
		loc, err := br.SubmitPassword(b.URL, bt.AgentIDNumber, bt.AgentPassword)
		if err != nil || loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, "请 15 分钟后再试") {
			t.Fatalf("locked account logged in: %v %v %d", loc, err, br.Last)
		}
		// Another browser (another IP would be the same): still locked.
		loc, _ = bt.NewBrowser(t).Login(b.URL, rp.NewFlow().URL, bt.AgentMobile, bt.AgentPassword)
		if loc != nil {
			t.Fatalf("locked account logged in by mobile from another browser: %v", loc)
		}
	})
}

func TestBrowserBindingAndCSRF(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		alice := bt.NewBrowser(t)
		f := rp.NewFlow()
		if _, err := alice.Get(f.URL); err != nil {
			t.Fatal(err)
		}
		action, form, err := alice.Form(b.URL)
		if err != nil {
			t.Fatal(err)
		}
		// Mallory gets the login page link: another browser is refused.
		mallory := bt.NewBrowser(t)
		if _, err := mallory.Get(b.URL + "/login/password?id=" + url.QueryEscape(form.Get("id"))); err != nil || mallory.Last != http.StatusBadRequest {
			t.Fatalf("foreign browser on the login page: %d %v", mallory.Last, err)
		}
		// A form without the right CSRF token is refused.
		bad := url.Values{"id": {form.Get("id")}, "csrf": {"forged"}, "user": {bt.AgentIDNumber}, "secret": {bt.AgentPassword}}
		if loc, _ := alice.Post(action, bad); loc != nil || alice.Last != http.StatusForbidden {
			t.Fatalf("forged CSRF token: %v %d", loc, alice.Last)
		}
		// Completing the login, then replaying the callback in Mallory's browser.
		form.Set("user", bt.AgentIDNumber)
		form.Set("secret", bt.AgentPassword)
		alice.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		loc, err := alice.Post(action, form)
		if err != nil || loc == nil || !strings.Contains(loc.Path, "/authorize/callback") {
			t.Fatalf("want the callback redirect, got %v %v", loc, err)
		}
		if l, _ := mallory.Get(loc.String()); l != nil || mallory.Last != http.StatusBadRequest {
			t.Fatalf("foreign browser redeemed the callback: %v %d", l, mallory.Last)
		}
	})
}

func TestNativeClientLoopback(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		native := rp.OAuth2
		native.ClientID, native.ClientSecret = bt.NativeClientID, ""
		native.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		native.RedirectURL = "http://127.0.0.1:49152/callback" // any port (RFC 8252 §7.3)
		verifier := oauth2.GenerateVerifier()
		br := loopbackBrowser(t)
		loc, err := br.Login(b.URL, native.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), bt.AgentIDNumber, bt.AgentPassword)
		if err != nil || loc == nil || loc.Port() != "49152" {
			t.Fatalf("native redirect: %v %v", loc, err)
		}
		tok, err := native.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil || tok.AccessToken == "" {
			t.Fatalf("native exchange: %v", err)
		}
		// A non-loopback host with the same path is not accepted.
		native.RedirectURL = "http://evil.example:49152/callback"
		br2 := bt.NewBrowser(t)
		if l, _ := br2.Get(native.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))); l != nil || br2.Last != http.StatusBadRequest {
			t.Fatalf("non-loopback native redirect accepted: %v %d", l, br2.Last)
		}
	})
}

func TestDiscoveryAndHeaders(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	resp, err := http.Get(b.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if d["issuer"] != b.URL || d["authorization_response_iss_parameter_supported"] != true {
		t.Errorf("discovery = %v", d)
	}
	for key, want := range map[string][]string{
		"code_challenge_methods_supported": {"S256"},
		"response_types_supported":         {"code"},
		"grant_types_supported":            {"authorization_code", "refresh_token", "client_credentials"},
	} {
		var got []string
		for _, v := range d[key].([]any) {
			got = append(got, v.(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if resp.Header.Get("Cache-Control") == "" {
		t.Error("discovery without Cache-Control")
	}

	resp, err = http.PostForm(b.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {bt.ServiceID}, "client_secret": {bt.ServiceSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token response Cache-Control = %q", resp.Header.Get("Cache-Control"))
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("token endpoint sends CORS headers")
	}
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/login?id=x", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers missing: %v", resp.Header)
	}
}

// TestRevokeSubject: "revoke everything of this principal" (the store's
// per-subject mark, which the admin API sets) ends its access tokens, its
// refresh families and its SSO sessions.
func TestRevokeSubject(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		br := bt.NewBrowser(t)
		_, tok, claims := login(t, b, rp, br)
		ctx := context.Background()
		now := time.Now()
		if err := b.Store.RevokeSubject(ctx, claims["sub"].(string), now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if in, _ := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken); in["active"] != false {
			t.Errorf("access token still active: %v", in)
		}
		_, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		assertOAuthError(t, err, "invalid_grant")
		f := rp.NewFlow(oauth2.SetAuthURLParam("prompt", "none"))
		if loc, _ := br.Get(f.URL); loc == nil || loc.Query().Get("error") != "login_required" {
			t.Errorf("SSO session of a revoked subject still answers prompt=none: %v", loc)
		}
		// Logging in again afterwards works (token times have whole-second
		// resolution, so wait past the second of the revocation).
		time.Sleep(time.Until(now.Add(1100 * time.Millisecond)))
		_, tok2, _ := login(t, b, rp, bt.NewBrowser(t))
		if in, _ := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok2.AccessToken); in["active"] != true {
			t.Errorf("token of a new login after the revocation: %v", in)
		}
	})
}
