package cas_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/cas"
	"github.com/gjjid/gjjid/connectors/cas/castest"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/upstream"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

const callback = "http://127.0.0.1:5556/login/cas/callback"

// legalPerson is a Guangdong-style legal-person account.
var legalPerson = castest.User{Name: "gd-corp-001", Attributes: map[string][]string{
	"cn": {"成都示例科技有限公司"}, "usertype": {"2"}, "useridcode": {"91510100MA61ABCD1T"}, "level": {"4"},
	"affiliation": {"staff", "faculty"},
}}

const mappingYAML = `claims:
  name: attributes.cn
  user_type: attributes.usertype
  credit_code: attributes.useridcode
  level: attributes.level
user_types: {"1": person, "2": legal_person}
levels: {"2": gjj:loa:1, "3": gjj:loa:2, "4": gjj:loa:2, "5": gjj:loa:3}
`

type harness struct {
	srv  *castest.Server
	c    *cas.Connector
	logs *connectorstest.Logs
}

func start(t *testing.T, extra string, users ...castest.User) *harness {
	t.Helper()
	if len(users) == 0 {
		users = []castest.User{legalPerson}
	}
	srv := castest.NewServer(users...)
	t.Cleanup(srv.Close)
	h := &harness{srv: srv, logs: &connectorstest.Logs{}}
	c, err := cas.Open(connectors.Spec{ID: "cas", Type: cas.Type, Config: yamlconfigtest.Node(t, "server: "+srv.URL+"\n"+extra), Path: "connectors[2].config"},
		connectors.Deps{Values: connectorstest.New(), Logger: h.logs})
	if err != nil {
		t.Fatal(err)
	}
	h.c = c
	return h
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// begin starts a login and returns the URL CAS sent the browser back to.
func (h *harness) begin(t *testing.T, ctx context.Context, state string) *url.URL {
	t.Helper()
	_, loc := connectorstest.Authorize(t, ctx, h.c, state, callback)
	if loc.Query().Get("state") != state || loc.Query().Get("ticket") == "" {
		t.Fatalf("CAS returned to %s", loc)
	}
	return loc
}

func (h *harness) finish(ctx context.Context, loc *url.URL) (connectors.Identity, error) {
	return h.c.HandleCallback(ctx, httptest.NewRequest(http.MethodGet, loc.String(), nil))
}

func TestSuccessWithAttributes(t *testing.T) {
	t.Parallel()
	h := start(t, mappingYAML)
	ctx := context.Background()
	id, err := h.finish(ctx, h.begin(t, ctx, "s1"))
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "gd-corp-001" || id.Kind != connectors.KindLegalPerson || id.UnitID != "91510100MA61ABCD1T" ||
		id.Name != "成都示例科技有限公司" || id.ACR != "gjj:loa:2" || id.LinkPolicy != connectors.LinkAuto ||
		!cas.ValidTicket(id.UpstreamSession) || id.Claims["unit_name"] != "成都示例科技有限公司" {
		t.Fatalf("identity %+v", id)
	}
	if l := h.srv.Logins()[0]; l.Get("renew") != "" || l.Get("service") != callback+"?state=s1" {
		t.Fatalf("login request %v", l)
	}
	if h.c.ACR() != "gjj:loa:3" {
		t.Errorf("declared acr %s, want the strongest mapped level", h.c.ACR())
	}
}

func TestRenewWhenForced(t *testing.T) {
	t.Parallel()
	h := start(t, mappingYAML)
	ctx := connectors.WithLoginHints(context.Background(), connectors.LoginHints{ForceLogin: true})
	if _, err := h.finish(ctx, h.begin(t, ctx, "s1")); err != nil {
		t.Fatal(err)
	}
	if l := h.srv.Logins()[0]; l.Get("renew") != "true" {
		t.Fatalf("login request %v: want renew=true", l)
	}
}

func TestInvalidTicket(t *testing.T) {
	t.Parallel()
	h := start(t, mappingYAML)
	ctx := context.Background()
	loc := h.begin(t, ctx, "s1")
	q := loc.Query()
	q.Set("ticket", "ST-forged-1")
	loc.RawQuery = q.Encode()
	_, err := h.finish(ctx, loc)
	connectorstest.WantLoginError(t, err, upstream.CodeInvalid)
	if !strings.Contains(h.logs.String(), "INVALID_TICKET") {
		t.Errorf("log lacks the CAS code:\n%s", h.logs)
	}
	// Not a service ticket at all: refused before CAS is asked.
	loc = h.begin(t, ctx, "s2")
	q = loc.Query()
	q.Set("ticket", "TGT-<x>")
	loc.RawQuery = q.Encode()
	_, err = h.finish(ctx, loc)
	connectorstest.WantLoginError(t, err, upstream.CodeInvalid)
}

func TestReusedTicket(t *testing.T) {
	t.Parallel()
	h := start(t, mappingYAML)
	ctx := context.Background()
	loc := h.begin(t, ctx, "s1")
	if _, err := h.finish(ctx, loc); err != nil {
		t.Fatal(err)
	}
	// The same ticket on a new login of this browser (a fresh state).
	loc2 := h.begin(t, ctx, "s2")
	q := loc2.Query()
	q.Set("ticket", loc.Query().Get("ticket"))
	loc2.RawQuery = q.Encode()
	_, err := h.finish(ctx, loc2)
	connectorstest.WantLoginError(t, err, upstream.CodeInvalid)
	// And the same callback twice: the flow is spent.
	_, err = h.finish(ctx, loc)
	connectorstest.WantLoginError(t, err, upstream.CodeInvalid)
}

func TestServiceMismatch(t *testing.T) {
	t.Parallel()
	h := start(t, mappingYAML)
	ctx := context.Background()
	// A ticket CAS issued for another service, carried to our callback.
	resp, err := noRedirect.Get(h.srv.URL + "/login?service=" + url.QueryEscape("https://other.example/cb"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	other, _ := resp.Location()
	loc := h.begin(t, ctx, "s1")
	q := loc.Query()
	q.Set("ticket", other.Query().Get("ticket"))
	loc.RawQuery = q.Encode()
	_, err = h.finish(ctx, loc)
	connectorstest.WantLoginError(t, err, upstream.CodeInvalid)
	if !strings.Contains(h.logs.String(), "INVALID_SERVICE") {
		t.Errorf("log lacks INVALID_SERVICE:\n%s", h.logs)
	}
}

func TestCAS2Mode(t *testing.T) {
	t.Parallel()
	h := start(t, "protocol: \"2.0\"\n")
	h.srv.V2Only()
	ctx := context.Background()
	id, err := h.finish(ctx, h.begin(t, ctx, "s1"))
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "gd-corp-001" || id.Kind != connectors.KindPerson || id.LinkPolicy != connectors.LinkSelfBind {
		t.Fatalf("identity %+v: a CAS 2.0 user without attributes self-binds", id)
	}
	// A 3.0 connector against the 2.0 server fails: the server is wrong.
	h3 := start(t, "")
	h3.srv.V2Only()
	if _, err := h3.finish(ctx, h3.begin(t, ctx, "s1")); err == nil {
		t.Fatal("3.0 validation against a 2.0-only server succeeded")
	}
}

func TestBadAnswers(t *testing.T) {
	t.Parallel()
	bomb := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` +
		`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>&lol2;</cas:user></cas:authenticationSuccess></cas:serviceResponse>`
	for _, tc := range []struct{ name, body, code, log string }{
		{"malformed", `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>`, upstream.CodeInvalid, "malformed"},
		{"entity bomb", bomb, upstream.CodeInvalid, "DOCTYPE"},
		{"external entity", `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>`, upstream.CodeInvalid, "DOCTYPE"},
		{"too large", `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><!--` + strings.Repeat("x", cas.MaxResponse) + `--></cas:serviceResponse>`, upstream.CodeInvalid, "too large"},
		{"wrong namespace", `<serviceResponse><authenticationSuccess><user>u</user></authenticationSuccess></serviceResponse>`, upstream.CodeInvalid, "malformed"},
		{"internal error", `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INTERNAL_ERROR">x</cas:authenticationFailure></cas:serviceResponse>`, upstream.CodeError, "INTERNAL_ERROR"},
		{"missing attribute", `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>u</cas:user><cas:attributes><cas:usertype>2</cas:usertype></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>`, upstream.CodeAttribute, "name (path attributes.cn)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, mappingYAML)
			h.srv.Respond(tc.body)
			ctx := context.Background()
			_, err := h.finish(ctx, h.begin(t, ctx, "s1"))
			le := connectorstest.WantLoginError(t, err, tc.code)
			if !strings.Contains(h.logs.String(), tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, h.logs)
			}
			if strings.Contains(le.Text("en"), "attributes.") || strings.Contains(le.Text("zh-CN"), "attributes.") {
				t.Errorf("the user is told the attribute: %s", le.Text("en"))
			}
		})
	}
}

func TestSingleLogoutRequest(t *testing.T) {
	t.Parallel()
	h := start(t, "")
	post := func(body url.Values) (string, error) {
		r := httptest.NewRequest(http.MethodPost, callback+"?state=x", strings.NewReader(body.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return h.c.LogoutSession(context.Background(), r)
	}
	if st, err := post(url.Values{"logoutRequest": {castest.LogoutRequest("ST-1-abc")}}); err != nil || st != "ST-1-abc" {
		t.Fatalf("logout request: %q %v", st, err)
	}
	for _, bad := range []string{"", "<x/>", castest.LogoutRequest("TGT-1"), `<!DOCTYPE a []>` + castest.LogoutRequest("ST-1")} {
		if _, err := post(url.Values{"logoutRequest": {bad}}); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	off := start(t, "single_logout: false\n")
	r := httptest.NewRequest(http.MethodPost, callback, strings.NewReader("logoutRequest="+url.QueryEscape(castest.LogoutRequest("ST-1"))))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := off.c.LogoutSession(context.Background(), r); err == nil {
		t.Error("single logout accepted while off")
	}
}

func TestLogoutURL(t *testing.T) {
	t.Parallel()
	h := start(t, "")
	u, err := h.c.LogoutURL(context.Background(), "st1", "http://127.0.0.1:5556/login/cas/logged-out")
	if err != nil || u != h.srv.URL+"/logout?service="+url.QueryEscape("http://127.0.0.1:5556/login/cas/logged-out?state=st1") {
		t.Fatalf("logout URL %q %v", u, err)
	}
}

func TestConfigErrorsNamePaths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"protocol: '3.0'", "connectors[2].config.server: required"},
		{"server: http://cas.example.com/cas", "connectors[2].config.server: must be https"},
		{"server: https://cas.example.com/cas\nprotocol: '4.0'", "connectors[2].config.protocol"},
		{"server: https://cas.example.com/cas\nvalidate_url: ftp://x", "connectors[2].config.validate_url"},
		{"server: https://cas.example.com/cas\nclaims: {name: 'attributes[x]'}", "connectors[2].config.claims.name"},
		{"server: https://cas.example.com/cas\nid_types: {'1': passport2}", "connectors[2].config.id_types.1"},
		{"server: https://cas.example.com/cas\nsingle_logout: maybe", "connectors[2].config.single_logout"},
	} {
		_, err := cas.Open(connectors.Spec{ID: "cas", Config: yamlconfigtest.Node(t, tc.yaml), Path: "connectors[2].config"},
			connectors.Deps{Values: connectorstest.New()})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
