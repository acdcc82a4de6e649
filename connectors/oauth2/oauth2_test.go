package oauth2_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/oauth2"
	"github.com/gjjid/gjjid/connectors/oauth2/oauth2test"
	"github.com/gjjid/gjjid/connectors/upstream"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

const callback = "http://127.0.0.1:5556/login/gd/callback"

type harness struct {
	gd   *oauth2test.Server
	c    *oauth2.Connector
	logs *connectorstest.Logs
}

func open(t *testing.T, cfg string) (*oauth2.Connector, *connectorstest.Logs, error) {
	l := &connectorstest.Logs{}
	c, err := oauth2.Open(connectors.Spec{ID: "gd", Type: oauth2.Type, Config: yamlconfigtest.Node(t, cfg), Path: "connectors[3].config"},
		connectors.Deps{Values: connectorstest.New(), Logger: l})
	return c, l, err
}

func start(t *testing.T, where string, edit func(string) string, accounts ...oauth2test.Account) *harness {
	t.Helper()
	gd := oauth2test.NewServer("gjj-test", "gd-s3cret", accounts...)
	gd.SecretIn(where)
	t.Cleanup(gd.Close)
	cfg := gdYAML(gd.URL, where)
	if edit != nil {
		cfg = edit(cfg)
	}
	c, l, err := open(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{gd: gd, c: c, logs: l}
}

func (h *harness) login(t *testing.T) (connectors.Identity, error) {
	t.Helper()
	ctx := context.Background()
	_, loc := connectorstest.Authorize(t, ctx, h.c, "st-1", callback)
	if loc.Query().Get("state") != "st-1" {
		t.Fatalf("platform returned to %s", loc)
	}
	return h.c.HandleCallback(ctx, httptest.NewRequest(http.MethodGet, loc.String(), nil))
}

func TestPersonLogin(t *testing.T) {
	t.Parallel()
	h := start(t, "query", nil, person)
	id, err := h.login(t)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "gd-p-1" || id.Kind != connectors.KindPerson || id.Name != "张三" || id.ACR != "gjj:loa:2" ||
		id.LinkPolicy != connectors.LinkAuto || id.Claims["id_number"] != "510107199003071236" || id.Claims["id_type"] != "resident_id" ||
		id.Phone != "13800138000" {
		t.Fatalf("identity %+v", id)
	}
}

func TestLegalPersonLogin(t *testing.T) {
	t.Parallel()
	h := start(t, "query", nil, legal)
	id, err := h.login(t)
	if err != nil {
		t.Fatal(err)
	}
	if id.Kind != connectors.KindLegalPerson || id.UnitID != "91510100MA61ABCD1T" || id.ACR != "gjj:loa:3" || id.LinkPolicy != connectors.LinkAuto {
		t.Fatalf("identity %+v", id)
	}
}

func TestUnverifiedSelfBinds(t *testing.T) {
	t.Parallel()
	p := person
	p.IsReal, p.Level = "0", "2"
	h := start(t, "query", nil, p)
	id, err := h.login(t)
	if err != nil {
		t.Fatal(err)
	}
	if id.LinkPolicy != connectors.LinkSelfBind || id.Claims["id_number"] != nil || id.ACR != "gjj:loa:1" {
		t.Fatalf("identity %+v", id)
	}
}

// TestSecretPlacement: the fake refuses the secret anywhere but where it
// expects it, so each placement works only when configured alike.
func TestSecretPlacement(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"query", "form", "basic"} {
		t.Run(where, func(t *testing.T) {
			t.Parallel()
			h := start(t, where, nil, person)
			if _, err := h.login(t); err != nil {
				t.Fatalf("secret in %s: %v", where, err)
			}
			if strings.Contains(h.logs.String(), "gd-s3cret") {
				t.Fatal("secret logged")
			}
		})
	}
	// Configured for the form, the platform wants the query: refused.
	h := start(t, "form", nil, person)
	h.gd.SecretIn("query")
	_, err := h.login(t)
	connectorstest.WantLoginError(t, err, upstream.CodeError)
	if !strings.Contains(h.logs.String(), `errcode = "40002"`) || strings.Contains(h.logs.String(), "gd-s3cret") {
		t.Fatalf("log:\n%s", h.logs)
	}
}

func TestErrorFieldSet(t *testing.T) {
	t.Parallel()
	h := start(t, "query", nil, person)
	h.gd.FailUserInfo("50001")
	_, err := h.login(t)
	connectorstest.WantLoginError(t, err, upstream.CodeError)
	if !strings.Contains(h.logs.String(), `errcode = "50001"`) {
		t.Fatalf("log lacks the error field:\n%s", h.logs)
	}
}

func TestDeniedAtPlatform(t *testing.T) {
	t.Parallel()
	h := start(t, "query", nil, person)
	ctx := context.Background()
	if _, err := h.c.LoginURL(ctx, "st-1", callback); err != nil {
		t.Fatal(err)
	}
	_, err := h.c.HandleCallback(ctx, httptest.NewRequest(http.MethodGet, callback+"?state=st-1&error=access_denied", nil))
	connectorstest.WantLoginError(t, err, upstream.CodeDenied)
}

func TestMalformedAndMissing(t *testing.T) {
	t.Parallel()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, "/") {
		case "garbage":
			fmt.Fprint(w, `{"userobj": {"uid": "x"`)
		case "missing":
			fmt.Fprint(w, `{"userobj": {"uid": "x", "cn": "王五", "usertype": "1", "isreal": "1"}, "user_creditable_level": "4"}`)
		case "legal-without-code":
			fmt.Fprint(w, `{"userobj": {"uid": "x", "cn": "某公司", "usertype": "2", "isreal": "1"}, "user_creditable_level": "4"}`)
		case "bad-code":
			fmt.Fprint(w, `{"userobj": {"uid": "x", "cn": "某公司", "usertype": "2", "useridcode": "91510100MA61ABCD1X"}, "user_creditable_level": "4"}`)
		case "unknown-type":
			fmt.Fprint(w, `{"userobj": {"uid": "x", "cn": "某", "usertype": "9"}}`)
		case "huge":
			fmt.Fprint(w, `{"a":"`+strings.Repeat("x", upstream.MaxBody)+`"}`)
		}
	}))
	t.Cleanup(bad.Close)
	for _, tc := range []struct{ c, code, log string }{
		{"garbage", upstream.CodeInvalid, "malformed JSON"},
		{"missing", upstream.CodeAttribute, "id_number (path userobj.idcardnumber)"},
		{"legal-without-code", upstream.CodeAttribute, "credit_code (path userobj.useridcode)"},
		{"bad-code", upstream.CodeAttribute, "not a valid unified social credit code"},
		{"unknown-type", upstream.CodeAttribute, `value "9" is not in user_types`},
		{"huge", upstream.CodeInvalid, "too large"},
	} {
		t.Run(tc.c, func(t *testing.T) {
			t.Parallel()
			h := start(t, "query", nil, person)
			c, l, err := open(t, strings.Replace(gdYAML(h.gd.URL, "query"), h.gd.URL+oauth2test.Base+"/tokeninfo", bad.URL+"/"+tc.c, 1))
			if err != nil {
				t.Fatal(err)
			}
			h.c, h.logs = c, l
			_, err = h.login(t)
			connectorstest.WantLoginError(t, err, tc.code)
			if !strings.Contains(h.logs.String(), tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, h.logs)
			}
		})
	}
}

func TestConfigErrorsNamePaths(t *testing.T) {
	t.Parallel()
	base := gdYAML("https://tyrz.gd.gov.cn", "query")
	for _, tc := range []struct{ from, to, want string }{
		{"  secret_in: query", "  secret_in: header", "connectors[3].config.token.secret_in"},
		{"  method: GET\n  secret_in: query", "  method: GET\n  secret_in: form", "connectors[3].config.token.secret_in: form needs method POST"},
		{"  token_in: query", "  token_in: cookie", "connectors[3].config.userinfo.token_in"},
		{"authorize_params: {service: initService}", "authorize_params: {redirect_uri: x}", "connectors[3].config.authorize_params.redirect_uri"},
		{"client_secret: gd-s3cret\n", "", "connectors[3].config.client_secret: required"},
		{"  subject: userobj.uid\n", "", "connectors[3].config.claims.subject: required"},
		{"  error: errcode\nclaims", "  error: 'err[x]'\nclaims", "connectors[3].config.userinfo.error"},
		{"scope: all", "scope: all\nscopes: all", "connectors[3].config.scopes: unknown key"},
		{"  method: GET\n  secret_in", "  method: PUT\n  secret_in", "connectors[3].config.token.method"},
	} {
		cfg := strings.Replace(base, tc.from, tc.to, 1)
		if cfg == base {
			t.Fatalf("%q not in the config", tc.from)
		}
		_, _, err := open(t, cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q → %q: error %v, want %q", tc.from, tc.to, err, tc.want)
		}
	}
	if strings.Contains(fmt.Sprint(open(t, strings.Replace(base, "  secret_in: query", "  secret_in: header", 1))), "gd-s3cret") {
		t.Error("config error shows the secret")
	}
}
