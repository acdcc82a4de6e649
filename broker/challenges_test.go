package broker_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// send posts form to issuer+path (with HTTP Basic unless basicID is "")
// or, for a nil form, GETs it; bearer, when set, is sent as a Bearer token.
func send(t *testing.T, issuer, path string, form url.Values, basicID, basicSecret, bearer string) (*http.Response, map[string]any) {
	t.Helper()
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, issuer+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, m, _ := bt.Send(t, nil, req)
	return resp, m
}

// codeFor runs a login for the demo client and returns an unredeemed code.
func codeFor(t *testing.T, b *bt.Broker, rp *bt.RP) (bt.Flow, string) {
	t.Helper()
	return rp.PasswordCode(t, bt.NewBrowser(t), b.URL, bt.AgentIDNumber, bt.AgentPassword)
}

// TestTokenEndpoint401ChallengesTheClient: RFC 6749 §5.2. A client that
// fails to authenticate gets 401 invalid_client with a Basic challenge
// naming the issuer as realm, at the token, introspection and revocation
// endpoints, whichever grant it used. The challenge is also sent when the
// client put its secret in the body: a 401 must carry one (RFC 9110
// §15.5.2), and RFC 6749 lets it announce the schemes supported.
func TestTokenEndpoint401ChallengesTheClient(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	rp := bt.NewRP(t, b.URL)
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
	wantChallenge := `Basic realm="` + b.URL + `"`

	codeForm := func() url.Values {
		f, code := codeFor(t, b, rp)
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {bt.RedirectURI}, "code_verifier": {f.Verifier}}
	}
	post := func(f url.Values, id, secret string) url.Values {
		f.Set("client_id", id)
		f.Set("client_secret", secret)
		return f
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}
	for _, tc := range []struct {
		name, path   string
		form         url.Values
		user, secret string
	}{
		{"code, Basic, wrong secret", "/oauth/token", codeForm(), bt.ClientID, "wrong"},
		{"code, Basic, unknown client", "/oauth/token", codeForm(), "nobody", "wrong"},
		{"code, secret in the body, wrong", "/oauth/token", post(codeForm(), bt.ClientID, "wrong"), "", ""},
		{"refresh, Basic, wrong secret", "/oauth/token", refresh, bt.ClientID, "wrong"},
		{"client_credentials, Basic, wrong secret", "/oauth/token", url.Values{"grant_type": {"client_credentials"}}, bt.ServiceID, "wrong"},
		{"introspection, Basic, wrong secret", "/oauth/introspect", url.Values{"token": {tok.AccessToken}}, bt.ClientID, "wrong"},
		{"introspection, secret in the body, wrong", "/oauth/introspect", post(url.Values{"token": {tok.AccessToken}}, bt.ClientID, "wrong"), "", ""},
		{"revocation, Basic, wrong secret", "/revoke", url.Values{"token": {tok.AccessToken}}, bt.ClientID, "wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := send(t, b.URL, tc.path, tc.form, tc.user, tc.secret, "")
			if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
				t.Errorf("%d %v, want 401 invalid_client", resp.StatusCode, body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != wantChallenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, wantChallenge)
			}
		})
	}
	// The failed attempts revoked nothing: the refresh token still works.
	if resp, body := send(t, b.URL, "/oauth/token", refresh, bt.ClientID, bt.ClientSecret, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("refresh with the right secret: %d %v", resp.StatusCode, body)
	}
}

// TestUserinfoInvalidTokenChallenges: RFC 6750 §3.1 at userinfo and the
// broker's own bearer APIs. A revoked, expired or malformed token is a 401
// with error="invalid_token"; no token at all a 401 with a bare Bearer
// challenge; a valid token without the needed scope a 403
// insufficient_scope.
func TestUserinfoInvalidTokenChallenges(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	rp := bt.NewRP(t, b.URL)
	_, tok, claims := login(t, b, rp, bt.NewBrowser(t))
	_, revokedTok, _ := login(t, b, rp, bt.NewBrowser(t))
	if st, err := bt.Revoke(b.URL, bt.ClientID, bt.ClientSecret, revokedTok.AccessToken, "access_token"); err != nil || st != http.StatusOK {
		t.Fatalf("revoke: %d %v", st, err)
	}
	expired := expiredToken(t, b, claims["sub"].(string))
	service, body := send(t, b.URL, "/oauth/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"gjj:api"}}, bt.ServiceID, bt.ServiceSecret, "")
	if service.StatusCode != http.StatusOK {
		t.Fatalf("client_credentials: %v", body)
	}
	noOpenID := body["access_token"].(string)

	if resp, body := send(t, b.URL, "/userinfo", nil, "", "", tok.AccessToken); resp.StatusCode != http.StatusOK || body["sub"] != claims["sub"] {
		t.Fatalf("userinfo with a valid token: %d %v", resp.StatusCode, body)
	}
	bearerRealm := `Bearer realm="` + b.URL + `"`
	for _, tc := range []struct {
		name   string
		bearer string
		form   url.Values
	}{
		{"revoked", revokedTok.AccessToken, nil},
		{"expired", expired, nil},
		{"malformed", "not-a-token", nil},
		{"truncated", tok.AccessToken[:len(tok.AccessToken)-8], nil},
		{"revoked, in the body", "", url.Values{"access_token": {revokedTok.AccessToken}}},
		{"malformed, in the query", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/userinfo"
			if tc.bearer == "" && tc.form == nil {
				path += "?access_token=not-a-token"
			}
			resp, body := send(t, b.URL, path, tc.form, "", "", tc.bearer)
			got := resp.Header.Get("WWW-Authenticate")
			if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_token" ||
				!strings.HasPrefix(got, bearerRealm+`, error="invalid_token"`) {
				t.Errorf("%d %v %q, want 401 invalid_token with a Bearer challenge", resp.StatusCode, body, got)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		resp, _ := send(t, b.URL, "/userinfo", nil, "", "", "")
		if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || got != bearerRealm {
			t.Errorf("%d %q, want 401 with %q and no error code", resp.StatusCode, got, bearerRealm)
		}
	})
	t.Run("without openid", func(t *testing.T) {
		resp, body := send(t, b.URL, "/userinfo", nil, "", "", noOpenID)
		if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusForbidden || body["error"] != "insufficient_scope" ||
			!strings.Contains(got, `error="insufficient_scope"`) {
			t.Errorf("%d %v %q, want 403 insufficient_scope", resp.StatusCode, body, got)
		}
	})

	// The broker's own bearer-protected APIs answer alike.
	for _, path := range []string{"/admin/v1/units", "/api/v1/unit/agents"} {
		for name, bearer := range map[string]string{"revoked": revokedTok.AccessToken, "expired": expired, "malformed": "not-a-token"} {
			resp, body := send(t, b.URL, path, nil, "", "", bearer)
			if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_token" ||
				!strings.HasPrefix(got, "Bearer ") || !strings.Contains(got, `error="invalid_token"`) {
				t.Errorf("%s, %s token: %d %v %q, want 401 invalid_token", path, name, resp.StatusCode, body, got)
			}
		}
		resp, _ := send(t, b.URL, path, nil, "", "", "")
		if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(got, "Bearer ") || strings.Contains(got, "error=") {
			t.Errorf("%s without a token: %d %q, want 401 with a bare Bearer challenge", path, resp.StatusCode, got)
		}
	}
}

// expiredToken is an access token the broker's key signed, expired an
// hour ago.
func expiredToken(t *testing.T, b *bt.Broker, sub string) string {
	t.Helper()
	k := b.Keys.Active()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.SignatureAlgorithm(), Key: jose.JSONWebKey{Key: k.Key(), KeyID: k.ID()}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	raw, err := jwt.Signed(signer).Claims(map[string]any{
		"iss": b.URL, "sub": sub, "aud": []string{bt.ClientID}, "client_id": bt.ClientID, "scope": "openid profile",
		"jti": "expired-test-token", "iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix(),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
