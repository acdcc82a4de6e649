package broker_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

// push sends an authorization request to /oauth/par as clientID (secret
// "" for a public client) and returns the status and the decoded answer.
func push(t *testing.T, b *bt.Broker, clientID, secret string, params url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	if secret == "" {
		params.Set("client_id", clientID) // a public client names itself
		clientID = ""
	}
	return bt.PostForm(t, b.URL+"/oauth/par", params, clientID, secret, nil)
}

// pushedFlow is a demo-client authorization request ready to push, and
// the flow secrets to redeem its code with.
func pushedFlow() (bt.Flow, url.Values) {
	f := bt.Flow{State: oauth2.GenerateVerifier()[:20], Nonce: oauth2.GenerateVerifier()[:20], Verifier: oauth2.GenerateVerifier()}
	return f, url.Values{"response_type": {"code"}, "redirect_uri": {bt.RedirectURI}, "scope": {"openid profile"},
		"state": {f.State}, "nonce": {f.Nonce}, "code_challenge": {oauth2.S256ChallengeFromVerifier(f.Verifier)},
		"code_challenge_method": {"S256"}}
}

func authorizeURI(b *bt.Broker, clientID, requestURI string) string {
	return b.URL + "/authorize?" + url.Values{"client_id": {clientID}, "request_uri": {requestURI}}.Encode()
}

// TestPAR: a pushed authorization request (RFC 9126) logs in end to end
// with the real RP libraries, once.
func TestPAR(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		d := bt.Discovery(t, b.URL)
		if d["pushed_authorization_request_endpoint"] != b.URL+"/oauth/par" || d["require_pushed_authorization_requests"] != false {
			t.Fatalf("discovery: %v %v", d["pushed_authorization_request_endpoint"], d["require_pushed_authorization_requests"])
		}
		rp := bt.NewRP(t, b.URL)
		f, params := pushedFlow()
		st, out, h := push(t, b, bt.ClientID, bt.ClientSecret, params)
		uri, _ := out["request_uri"].(string)
		if st != http.StatusCreated || !strings.HasPrefix(uri, "urn:ietf:params:oauth:request_uri:") || out["expires_in"] != 60.0 || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("push: %d %v %v", st, out, h)
		}
		// Parameters in the URL besides client_id and request_uri do not
		// count (§4): a changed state would be seen by the RP.
		br := bt.NewBrowser(t)
		loc, err := br.Login(b.URL, authorizeURI(b, bt.ClientID, uri)+"&state=forged&scope=openid+gjj:id_number", bt.AgentIDNumber, bt.AgentPassword)
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Name string `json:"name"`
		}
		tok := rp.Redeem(t, f, loc, br, &claims)
		if tok.AccessToken == "" || claims.Name != bt.AgentName {
			t.Fatalf("pushed login: %v %+v", tok, claims)
		}
		if _, ok := jwtClaims(t, tok.AccessToken)["scope"].(string); !ok || strings.Contains(jwtClaims(t, tok.AccessToken)["scope"].(string), "id_number") {
			t.Fatalf("a scope added in the URL was granted: %v", jwtClaims(t, tok.AccessToken)["scope"])
		}
		// Single use.
		again := bt.NewBrowser(t)
		if l, _ := again.Get(authorizeURI(b, bt.ClientID, uri)); l != nil || again.Last != http.StatusBadRequest {
			t.Fatalf("request_uri used twice: %v %d", l, again.Last)
		}
	})
}

// TestPARRefusals: every way a push or its request_uri is refused.
func TestPARRefusals(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		b := start(t, bt.Options{Edit: func(c *config.Config) {
			c.PAR.RequestURILifetime = time.Second
			for i := range c.Clients {
				if c.Clients[i].ID == bt.NativeClientID {
					c.Clients[i].RequirePushedAuthorizationRequests = true
				}
			}
		}})
		_, params := pushedFlow()
		for _, tc := range []struct {
			name, id, secret string
			edit             func(url.Values)
			status           int
			err              string
		}{
			{"wrong secret", bt.ClientID, "wrong", nil, http.StatusUnauthorized, "invalid_client"},
			{"unregistered redirect_uri", bt.ClientID, bt.ClientSecret, func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }, http.StatusBadRequest, "invalid_request"},
			{"no PKCE", bt.ClientID, bt.ClientSecret, func(v url.Values) { v.Del("code_challenge") }, http.StatusBadRequest, "invalid_request"},
			{"a request_uri inside", bt.ClientID, bt.ClientSecret, func(v url.Values) { v.Set("request_uri", "urn:x") }, http.StatusBadRequest, "invalid_request"},
			{"another client_id", bt.ClientID, bt.ClientSecret, func(v url.Values) { v.Set("client_id", bt.NativeClientID) }, http.StatusBadRequest, "invalid_request"},
			{"a repeated parameter", bt.ClientID, bt.ClientSecret, func(v url.Values) { v.Add("scope", "openid") }, http.StatusBadRequest, "invalid_request"},
		} {
			p := url.Values{}
			for k, v := range params {
				p[k] = v
			}
			if tc.edit != nil {
				tc.edit(p)
			}
			st, out, h := push(t, b, tc.id, tc.secret, p)
			if st != tc.status || out["error"] != tc.err {
				t.Errorf("push %s: %d %v, want %d %s", tc.name, st, out, tc.status, tc.err)
			}
			if st == http.StatusUnauthorized && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("push %s: 401 without a Basic challenge", tc.name)
			}
		}

		// A request_uri another client pushed.
		_, out, _ := push(t, b, bt.ClientID, bt.ClientSecret, params)
		br := bt.NewBrowser(t)
		if l, _ := br.Get(authorizeURI(b, bt.NativeClientID, out["request_uri"].(string))); l != nil || br.Last != http.StatusBadRequest {
			t.Fatalf("another client's request_uri: %v %d", l, br.Last)
		}
		// Expired (lifetime 1 s here).
		_, out, _ = push(t, b, bt.ClientID, bt.ClientSecret, params)
		time.Sleep(1200 * time.Millisecond)
		br = bt.NewBrowser(t)
		if l, _ := br.Get(authorizeURI(b, bt.ClientID, out["request_uri"].(string))); l != nil || br.Last != http.StatusBadRequest {
			t.Fatalf("expired request_uri: %v %d", l, br.Last)
		}
		// Not one the broker issued.
		br = bt.NewBrowser(t)
		if l, _ := br.Get(authorizeURI(b, bt.ClientID, "https://evil.example/request.jwt")); l != nil || br.Last != http.StatusBadRequest {
			t.Fatalf("foreign request_uri: %v %d", l, br.Last)
		}

		// A client that must push is refused without PAR, with the error
		// sent to its (validated) redirect URI, and served with PAR.
		native := bt.NewRP(t, b.URL).OAuth2
		native.ClientID, native.ClientSecret, native.RedirectURL = bt.NativeClientID, "", "http://127.0.0.1:49152/callback"
		br = bt.NewBrowser(t)
		loc, err := br.Get(native.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oidc.Nonce("n")))
		if err != nil || loc == nil || loc.Query().Get("error") != "invalid_request" || !strings.Contains(loc.Query().Get("error_description"), "pushed authorization request required") {
			t.Fatalf("PAR-required client without PAR: %v %v", loc, err)
		}
		np := url.Values{"response_type": {"code"}, "redirect_uri": {native.RedirectURL}, "scope": {"openid"}, "state": {"st"},
			"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}
		st, out, _ := push(t, b, bt.NativeClientID, "", np)
		if st != http.StatusCreated {
			t.Fatalf("public client push: %d %v", st, out)
		}
		br = bt.NewBrowser(t)
		loc, err = br.Login(b.URL, authorizeURI(b, bt.NativeClientID, out["request_uri"].(string)), bt.AgentIDNumber, bt.AgentPassword)
		if err != nil || loc == nil || loc.Query().Get("code") == "" {
			t.Fatalf("PAR-required client with PAR: %v %v", loc, err)
		}
	})
}
