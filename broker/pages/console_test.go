package pages_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

// staffOptions lets the test's password sign-ins reach the console
// (staff.acr gjj:loa:1); the Chromium test keeps the default gjj:loa:2.
func staffOptions(o bt.Options) bt.Options {
	o.Edit = func(c *config.Config) { c.Staff.ACR = "gjj:loa:1" }
	return o
}

// grant gives the person with idNumber roles through the admin API.
func grant(t *testing.T, b *bt.Broker, idNumber string, roles ...string) string {
	t.Helper()
	admin := bt.NewAdminAPI(t, b.URL)
	var p struct {
		ID string `json:"id"`
	}
	admin.Want(http.StatusOK, http.MethodPost, "/admin/v1/persons/lookup", map[string]any{"id_type": "resident_id", "id_number": idNumber}, &p)
	admin.Want(http.StatusOK, http.MethodPost, "/admin/v1/staff/"+p.ID+"/grant", map[string]any{"roles": roles}, nil)
	return p.ID
}

var secretRe = regexp.MustCompile(`<code id="client-secret">([^<]+)</code>`)
var clientIDRe = regexp.MustCompile(`<code id="client-id">([^<]+)</code>`)

// TestConsoleRegistersAClientThatLogsIn: an administrator registers a
// business system in the console; the secret shown once completes a code
// flow with the real RP libraries.
func TestConsoleRegistersAClientThatLogsIn(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	grant(t, b, bt.AgentIDNumber, "gjjid:admin")
	br := signIn(t, b, "/admin/clients/new", bt.AgentIDNumber, bt.AgentPassword)
	if !strings.Contains(br.Page, `name="redirect_uris"`) {
		t.Fatalf("not the registration form: %.600s", br.Page)
	}
	form := url.Values{"csrf": {csrf(t, br)}, "client_name": {"控制台登记的系统"}, "redirect_uris": {bt.RedirectURI},
		"grant_types": {"authorization_code", "refresh_token"}, "token_endpoint_auth_method": {"client_secret_basic"}}
	// A LAN http redirect URI is refused with the field named, nothing stored.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("redirect_uris", "http://192.168.1.5/cb")
	status, body, _ := post(t, br, b.URL+"/admin/clients", bad, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="client-redirect-uris" name="redirect_uris" rows="3" aria-invalid="true"`) {
		t.Fatalf("LAN http redirect: %d %.800s", status, body)
	}
	status, body, _ = post(t, br, b.URL+"/admin/clients", form, map[string]string{"Sec-Fetch-Site": "same-origin"})
	sm, im := secretRe.FindStringSubmatch(body), clientIDRe.FindStringSubmatch(body)
	if status != http.StatusOK || sm == nil || im == nil {
		t.Fatalf("register: %d %.800s", status, body)
	}
	id, secret := html.UnescapeString(im[1]), html.UnescapeString(sm[1])

	rp := bt.NewRP(t, b.URL)
	rp.OAuth2.ClientID, rp.OAuth2.ClientSecret = id, secret
	rp.Verifier = rp.Provider.Verifier(&oidc.Config{ClientID: id})
	f := rp.NewFlow()
	loc, err := bt.NewBrowser(t).Login(b.URL, f.URL, bt.Agent2IDNumber, bt.Agent2Password)
	if err != nil {
		t.Fatal(err)
	}
	code, err := rp.Callback(f, loc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := rp.Exchange(ctx, f, code); err != nil {
		t.Fatalf("code flow of the client registered in the console: %v", err)
	}

	// The change is audited under the staff person.
	var events struct {
		Items []struct{ Action, Actor, Principal string } `json:"items"`
	}
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodGet, "/admin/v1/audit?type=admin.change&principal="+id, nil, &events)
	if len(events.Items) != 1 || events.Items[0].Action != "clients.create" || !strings.HasPrefix(events.Items[0].Actor, "person:") {
		t.Fatalf("audit of the registration: %+v", events.Items)
	}
	// Disabled, the client is unknown to the provider; enabled, it works again.
	tok := csrf(t, br)
	flow := func() error {
		f := rp.NewFlow()
		loc, err := bt.NewBrowser(t).Login(b.URL, f.URL, bt.Agent2IDNumber, bt.Agent2Password)
		if err != nil {
			return err
		}
		code, err := rp.Callback(f, loc)
		if err != nil {
			return err
		}
		_, _, err = rp.Exchange(ctx, f, code)
		return err
	}
	for _, st := range []string{"disabled", "active"} {
		status, _, where := post(t, br, b.URL+"/admin/clients/"+id+"/status", url.Values{"csrf": {tok}, "status": {st}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
		if status != http.StatusSeeOther || !strings.Contains(where, "done=client_") {
			t.Fatalf("set %s: %d %s", st, status, where)
		}
		if err := flow(); (err == nil) != (st == "active") {
			t.Fatalf("code flow of a client %s: %v", st, err)
		}
	}
	// Delete needs the client_id typed as confirmation.
	status, _, _ = post(t, br, b.URL+"/admin/clients/"+id+"/delete", url.Values{"csrf": {tok}, "confirm": {"wrong"}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if status != http.StatusBadRequest {
		t.Fatalf("delete without confirmation: %d", status)
	}
	status, _, where := post(t, br, b.URL+"/admin/clients/"+id+"/delete", url.Values{"csrf": {tok}, "confirm": {id}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if status != http.StatusSeeOther || where != "/admin/clients?done=deleted" {
		t.Fatalf("delete: %d %s", status, where)
	}
}

// TestConsoleRoles: counter staff are refused the client pages, a person
// without a role the whole console, and a revoked role takes effect on the
// next page; forms need the session's CSRF token.
func TestConsoleRoles(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	person := grant(t, b, bt.AgentIDNumber, "gjjid:counter")
	br := signIn(t, b, "/admin", bt.AgentIDNumber, bt.AgentPassword)
	if !strings.Contains(br.Page, "柜台人员") || strings.Contains(br.Page, `href="/admin/clients"`) {
		t.Fatalf("counter home: %.600s", br.Page)
	}
	if _, err := br.Get(b.URL + "/admin/clients"); err != nil || br.Last != http.StatusForbidden {
		t.Fatalf("counter opens the client pages: %d %v", br.Last, err)
	}
	status, _, _ := post(t, br, b.URL+"/admin/clients", url.Values{"csrf": {"x"}, "client_name": {"x"}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if status != http.StatusForbidden {
		t.Fatalf("post without the CSRF token: %d", status)
	}
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodPost, "/admin/v1/staff/"+person+"/revoke", map[string]any{"roles": []string{"gjjid:counter"}}, nil)
	if _, err := br.Get(b.URL + "/admin"); err != nil || br.Last != http.StatusForbidden {
		t.Fatalf("after the role was revoked: %d %v", br.Last, err)
	}
}

// TestConsoleClientsLastUse: the client list says when each client last
// received tokens: the service client after its client_credentials token,
// and nothing for a client that never had one.
func TestConsoleClientsLastUse(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	grant(t, b, bt.AgentIDNumber, "gjjid:admin") // the admin API's token is a use of the admin client
	bt.NewServiceAPI(t, b.URL, bt.ServiceID, bt.ServiceSecret, "gjj:api").Call(http.MethodGet, "/admin/v1/units", nil, nil)
	br := signIn(t, b, "/admin/clients", bt.AgentIDNumber, bt.AgentPassword)
	row := func(id string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<tr data-client="` + regexp.QuoteMeta(id) + `">.*?<td class="last-use">([^<]*)</td>`).FindStringSubmatch(br.Page)
		if m == nil {
			t.Fatalf("client %s not listed: %.3000s", id, br.Page)
		}
		return m[1]
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	if got := row(bt.ServiceID); !strings.HasPrefix(got, today) {
		t.Errorf("service client's last use %q, want today (%s)", got, today)
	}
	if got := row(bt.ClientID); !strings.Contains(got, "未用") {
		t.Errorf("a client never used shows %q", got)
	}
}
