package oidc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/oidc"
	"github.com/gjjid/gjjid/connectors/oidc/oidctest"
	"github.com/gjjid/gjjid/connectors/upstream"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

type harness struct {
	op   *oidctest.Server
	c    *oidc.Connector
	st   *connectorstest.Host
	logs *connectorstest.Logs
}

const callback = "http://127.0.0.1:5556/login/prov/callback"

func start(t *testing.T, extra string) *harness {
	t.Helper()
	op := oidctest.NewServer("gjj", "s3cret-value")
	t.Cleanup(op.Close)
	h := &harness{op: op, st: connectorstest.New(), logs: &connectorstest.Logs{}}
	cfg := "issuer: " + op.URL + "\nclient_id: gjj\nclient_secret: s3cret-value\n" + extra
	c, err := oidc.Open(connectors.Spec{ID: "prov", Type: oidc.Type, Config: yamlconfigtest.Node(t, cfg), Path: "connectors[1].config"},
		connectors.Deps{Values: h.st, Logger: h.logs})
	if err != nil {
		t.Fatal(err)
	}
	h.c = c
	return h
}

// login runs one login: LoginURL, the upstream's answer, HandleCallback.
func (h *harness) login(t *testing.T, ctx context.Context) (connectors.Identity, error) {
	t.Helper()
	state := "state-" + t.Name() + fmt.Sprint(time.Now().UnixNano())
	_, loc := connectorstest.Authorize(t, ctx, h.c, state, callback)
	if !strings.HasPrefix(loc.String(), callback+"?") || loc.Query().Get("state") != state {
		t.Fatalf("upstream returned to %s", loc)
	}
	return h.c.HandleCallback(ctx, httptest.NewRequest(http.MethodGet, loc.String(), nil))
}

func TestLoginMapsVerifiedPerson(t *testing.T) {
	t.Parallel()
	h := start(t, `claims: {name: name, id_number: id_number, level: acr}
userinfo: true`)
	h.op.SetClaims(map[string]any{"sub": "u-42", "name": "张三", "id_number": "510107199003071236", "acr": "gjj:loa:2", "amr": []string{"pwd"}})
	id, err := h.login(t, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "u-42" || id.Name != "张三" || id.Kind != connectors.KindPerson || id.ACR != "gjj:loa:2" ||
		id.LinkPolicy != connectors.LinkAuto || id.Claims["id_number"] != "510107199003071236" || id.Claims["id_type"] != "resident_id" ||
		len(id.AMR) != 1 || id.AMR[0] != "pwd" {
		t.Fatalf("identity %+v", id)
	}
	ar := h.op.AuthRequests()[0]
	if ar.Get("nonce") == "" || ar.Get("code_challenge_method") != "S256" || ar.Get("prompt") != "" {
		t.Fatalf("authorization request %v", ar)
	}
	if len(h.st.Values()) != 0 {
		t.Fatalf("flow records left: %d", len(h.st.Values()))
	}
}

func TestUnverifiedPersonSelfBinds(t *testing.T) {
	t.Parallel()
	h := start(t, `claims: {id_number: id_number, level: acr}`)
	h.op.SetClaims(map[string]any{"sub": "u-43", "name": "李四", "id_number": "440106198511204569", "acr": "gjj:loa:1"})
	id, err := h.login(t, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.LinkPolicy != connectors.LinkSelfBind || id.Claims["id_number"] != nil || id.ACR != "gjj:loa:1" {
		t.Fatalf("identity %+v: an unverified ID number must not link", id)
	}
}

func TestForceLoginAsksUpstreamAgain(t *testing.T) {
	t.Parallel()
	h := start(t, "acr_values: urn:gov:loa:3\n")
	ctx := connectors.WithLoginHints(context.Background(), connectors.LoginHints{ForceLogin: true})
	if _, err := h.login(t, ctx); err != nil {
		t.Fatal(err)
	}
	if ar := h.op.AuthRequests()[0]; ar.Get("prompt") != "login" || ar.Get("acr_values") != "urn:gov:loa:3" {
		t.Fatalf("authorization request %v", ar)
	}
}

func TestBadIDTokensRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper func(map[string]any)
		none   bool
		want   string
	}{
		{name: "wrong nonce", tamper: func(c map[string]any) { c["nonce"] = "someone-elses" }, want: "nonce"},
		{name: "no nonce", tamper: func(c map[string]any) { delete(c, "nonce") }, want: "nonce"},
		{name: "wrong audience", tamper: func(c map[string]any) { c["aud"] = "another-client" }, want: "audience"},
		{name: "expired", tamper: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, want: "expired"},
		{name: "wrong issuer", tamper: func(c map[string]any) { c["iss"] = "https://evil.example" }, want: "different provider"},
		{name: "alg none", none: true, want: "signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, "")
			h.op.Tamper(tc.tamper)
			h.op.Unsigned(tc.none)
			_, err := h.login(t, context.Background())
			connectorstest.WantLoginError(t, err, upstream.CodeInvalid)
			if !strings.Contains(strings.ToLower(err.Error()), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestKeyRolloverFetchesNewKeys(t *testing.T) {
	t.Parallel()
	h := start(t, "")
	if _, err := h.login(t, context.Background()); err != nil {
		t.Fatal(err)
	}
	h.op.Rotate() // a key the connector's cached JWKS has never seen
	if _, err := h.login(t, context.Background()); err != nil {
		t.Fatalf("after the upstream's key rotation: %v", err)
	}
}

func TestCallbackErrors(t *testing.T) {
	t.Parallel()
	h := start(t, "")
	ctx := context.Background()
	begin := func(state string) {
		if _, err := h.c.LoginURL(ctx, state, callback); err != nil {
			t.Fatal(err)
		}
	}
	call := func(q string) error {
		_, err := h.c.HandleCallback(ctx, httptest.NewRequest(http.MethodGet, callback+"?"+q, nil))
		return err
	}
	begin("s1")
	connectorstest.WantLoginError(t, call("state=s1&error=access_denied"), upstream.CodeDenied)
	connectorstest.WantLoginError(t, call("state=s1&code=x"), upstream.CodeInvalid) // the flow was spent
	begin("s2")
	connectorstest.WantLoginError(t, call("state=s2&code=x&iss="+url.QueryEscape("https://evil.example")), upstream.CodeInvalid)
	begin("s3")
	connectorstest.WantLoginError(t, call("state=s3&code=forged"), upstream.CodeError) // invalid_grant
	begin("s4")
	connectorstest.WantLoginError(t, call("state=s4&error=server_error"), upstream.CodeError)
	if strings.Contains(h.logs.String(), "s3cret-value") {
		t.Fatalf("client secret logged:\n%s", h.logs)
	}
}

func TestMissingAttributeNamedInLogOnly(t *testing.T) {
	t.Parallel()
	h := start(t, "claims: {id_number: gjj.id_number}\n")
	h.op.SetClaims(map[string]any{"sub": "u-1", "name": "王五"})
	_, err := h.login(t, context.Background())
	connectorstest.WantLoginError(t, err, upstream.CodeAttribute)
	le, _ := connectors.AsLoginError(err)
	if strings.Contains(le.Text("zh-CN"), "id_number") || strings.Contains(le.Text("en"), "id_number") {
		t.Errorf("user text names the attribute: %q", le.Text("en"))
	}
	if !strings.Contains(h.logs.String(), "id_number (path gjj.id_number)") {
		t.Errorf("log does not name the missing attribute:\n%s", h.logs)
	}
}

func TestUserinfoSubjectMustMatch(t *testing.T) {
	t.Parallel()
	h := start(t, "userinfo: true\n")
	h.op.Tamper(func(c map[string]any) { c["sub"] = "other" }) // ID token differs from userinfo
	_, err := h.login(t, context.Background())
	connectorstest.WantLoginError(t, err, upstream.CodeInvalid)
}

func TestLogoutURL(t *testing.T) {
	t.Parallel()
	h := start(t, "")
	u, err := h.c.LogoutURL(context.Background(), "st", "http://127.0.0.1:5556/login/prov/logged-out")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := url.Parse(u)
	q := p.Query()
	if !strings.HasPrefix(u, h.op.URL+"/end_session?") || q.Get("client_id") != "gjj" || q.Get("state") != "st" ||
		q.Get("post_logout_redirect_uri") != "http://127.0.0.1:5556/login/prov/logged-out" {
		t.Fatalf("logout URL %s", u)
	}
	off := start(t, "logout: false\n")
	if u, err := off.c.LogoutURL(context.Background(), "st", "http://x"); u != "" || err != nil {
		t.Fatalf("logout off: %q %v", u, err)
	}
}

func TestDiscoveryIssuerMustMatch(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"issuer":"https://other.example","authorization_endpoint":"https://other.example/a","token_endpoint":"https://other.example/t","jwks_uri":"https://other.example/k"}`)
	}))
	defer srv.Close()
	c, err := oidc.Open(connectors.Spec{ID: "x", Config: yamlconfigtest.Node(t, "issuer: "+srv.URL+"\nclient_id: a\nclient_secret: b\n")},
		connectors.Deps{Values: connectorstest.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.LoginURL(context.Background(), "s", callback); err == nil || !strings.Contains(err.Error(), "issuer") {
		t.Fatalf("mismatched discovery issuer: %v", err)
	}
}

func TestConfigErrorsNamePaths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"client_id: a\nclient_secret: b", "connectors[1].config.issuer: required"},
		{"issuer: http://idp.example.com\nclient_id: a\nclient_secret: b", "connectors[1].config.issuer: must be https"},
		{"issuer: https://idp.example.com\nclient_secret: b", "connectors[1].config.client_id: required"},
		{"issuer: https://idp.example.com\nclient_id: a", "connectors[1].config.client_secret: required"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\nauth_method: none", "connectors[1].config.auth_method"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\nsigning_algs: [none]", "connectors[1].config.signing_algs[0]"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\ndiscovery: false", "connectors[1].config.endpoints.token: required"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\nclaims: {subject: 'a..b'}", "connectors[1].config.claims.subject"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\nclaims: {subject: ''}", "connectors[1].config.claims.subject: required"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\nlevels: {'3': gjj:loa:9}", "connectors[1].config.levels.3"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\nuser_types: {'2': legal_person}", "connectors[1].config.claims.credit_code: required"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\nlink_policy: sometimes", "connectors[1].config.link_policy"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\nfrobnicate: 1", "connectors[1].config.frobnicate: unknown key"},
		{"issuer: https://idp.example.com\nclient_id: a\nclient_secret: b\ntimeout: 2h", "connectors[1].config.timeout"},
	} {
		_, err := oidc.Open(connectors.Spec{ID: "p", Config: yamlconfigtest.Node(t, tc.yaml), Path: "connectors[1].config"},
			connectors.Deps{Values: connectorstest.New()})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
