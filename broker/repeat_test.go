package broker_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestRepeatedParametersRefused: RFC 6749 §3.1/§3.2, parameters "MUST NOT
// be included more than once". The authorization, token, introspection and
// revocation endpoints refuse a repeated parameter with invalid_request
// naming it, in the query or the form body or split between them.
func TestRepeatedParametersRefused(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	rp := bt.NewRP(t, b.URL)
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))

	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"gjj:api"}}
	if resp, body := send(t, b.URL, "/oauth/token", cc, bt.ServiceID, bt.ServiceSecret, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("client_credentials, each parameter once: %d %v", resp.StatusCode, body)
	}
	f, code := codeFor(t, b, rp)
	for _, tc := range []struct {
		name, path   string
		form         url.Values
		query        string
		user, secret string
		param        string
	}{
		{"token: grant_type twice", "/oauth/token", url.Values{"grant_type": {"client_credentials", "client_credentials"}, "scope": {"gjj:api"}}, "", bt.ServiceID, bt.ServiceSecret, "grant_type"},
		{"token: scope in query and body", "/oauth/token", cc, "scope=gjj%3Aapi", bt.ServiceID, bt.ServiceSecret, "scope"},
		{"token: code twice", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code, code}, "redirect_uri": {bt.RedirectURI},
			"code_verifier": {f.Verifier}}, "", bt.ClientID, bt.ClientSecret, "code"},
		{"token: refresh_token twice", "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken, "x"}}, "", bt.ClientID, bt.ClientSecret, "refresh_token"},
		{"introspection: token twice", "/oauth/introspect", url.Values{"token": {tok.AccessToken, tok.AccessToken}}, "", bt.ClientID, bt.ClientSecret, "token"},
		{"introspection: client_id twice", "/oauth/introspect", url.Values{"token": {tok.AccessToken}, "client_id": {bt.ClientID, bt.ClientID},
			"client_secret": {bt.ClientSecret}}, "", "", "", "client_id"},
		{"revocation: token twice", "/revoke", url.Values{"token": {tok.AccessToken, tok.AccessToken}}, "", bt.ClientID, bt.ClientSecret, "token"},
		{"revocation: token_type_hint in query and body", "/revoke", url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}},
			"token_type_hint=access_token", bt.ClientID, bt.ClientSecret, "token_type_hint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if tc.query != "" {
				path += "?" + tc.query
			}
			resp, body := send(t, b.URL, path, tc.form, tc.user, tc.secret, "")
			desc, _ := body["error_description"].(string)
			if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_request" || !strings.Contains(desc, "parameter "+tc.param+" ") {
				t.Errorf("%d %v, want 400 invalid_request naming %s", resp.StatusCode, body, tc.param)
			}
		})
	}
	// Nothing was done: the code, the access and the refresh token live on.
	if in, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken); err != nil || in["active"] != true {
		t.Errorf("access token after the refused revocations: %v %v", in, err)
	}
	if _, _, err := rp.Exchange(t.Context(), f, code); err != nil {
		t.Errorf("code after the refused exchange: %v", err)
	}

	// The authorization endpoint sends the error to the registered
	// redirect URI when client_id and redirect_uri are single and valid.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authorize := func(t *testing.T, method string, edit func(url.Values)) *http.Response {
		t.Helper()
		fl := rp.NewFlow()
		u, _ := url.Parse(fl.URL)
		q := u.Query()
		edit(q)
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			u.RawQuery = ""
			resp, err = noFollow.PostForm(u.String(), q)
		} else {
			u.RawQuery = q.Encode()
			resp, err = noFollow.Get(u.String())
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, tc := range []struct {
		name, method, param string
		edit                func(url.Values)
	}{
		{"authorize: scope twice", http.MethodGet, "scope", func(q url.Values) { q.Add("scope", "openid") }},
		{"authorize: code_challenge twice", http.MethodGet, "code_challenge", func(q url.Values) { q.Add("code_challenge", q.Get("code_challenge")) }},
		{"authorize POST: response_type twice", http.MethodPost, "response_type", func(q url.Values) { q.Add("response_type", "code") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := authorize(t, tc.method, tc.edit)
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || loc == nil || !strings.HasPrefix(loc.String(), bt.RedirectURI+"?") {
				t.Fatalf("%d to %q, want a redirect to the client", resp.StatusCode, resp.Header.Get("Location"))
			}
			q := loc.Query()
			if q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "parameter "+tc.param+" ") ||
				q.Get("state") == "" || q.Get("iss") != b.URL || q.Get("code") != "" {
				t.Errorf("redirect %s, want error=invalid_request naming %s, with state and iss", loc, tc.param)
			}
		})
	}
	// A repeated client_id or redirect_uri leaves no redirect URI to trust:
	// an error page.
	for _, param := range []string{"client_id", "redirect_uri"} {
		t.Run("authorize: "+param+" twice", func(t *testing.T) {
			resp := authorize(t, http.MethodGet, func(q url.Values) { q.Add(param, q.Get(param)) })
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Errorf("%d to %q, want a 400 page", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}
