package broker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

type apiErr struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Field       string `json:"field"`
}

type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// wantField calls and checks a 400 naming field.
func wantField(t *testing.T, api *bt.API, method, path string, body any, field string) {
	t.Helper()
	var e apiErr
	if got := api.Call(method, path, body, &e); got != http.StatusBadRequest || e.Error != "invalid_request" || e.Field != field {
		t.Fatalf("%s %s %v: %d %+v, want 400 invalid_request naming %q", method, path, body, got, e, field)
	}
}

func wantStatus(t *testing.T, api *bt.API, want int, code, method, path string, body any) {
	t.Helper()
	var e apiErr
	if got := api.Call(method, path, body, &e); got != want || e.Error != code {
		t.Fatalf("%s %s: %d %+v, want %d %s", method, path, got, e, want, code)
	}
}

func TestAdminAPIAuthentication(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	// No token, a made-up token: 401 with a Bearer challenge.
	for _, auth := range []string{"", "Bearer not-a-token", "Basic ZGVtbzpkZW1v"} {
		req, _ := http.NewRequest(http.MethodGet, b.URL+"/admin/v1/units", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: %d %q, want 401 with a Bearer challenge", auth, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	// A valid token without gjjid:admin: 403 insufficient_scope.
	svc := bt.NewServiceAPI(t, b.URL, bt.ServiceID, bt.ServiceSecret, "gjj:api")
	wantStatus(t, svc, http.StatusForbidden, "insufficient_scope", http.MethodGet, "/admin/v1/units", nil)
	// A person's login token is no admin token either.
	rp := bt.NewRP(t, b.URL)
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
	user := bt.NewTokenAPI(t, b.URL, tok.AccessToken)
	wantStatus(t, user, http.StatusForbidden, "insufficient_scope", http.MethodGet, "/admin/v1/units", nil)
	// The admin client gets in.
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodGet, "/admin/v1/units", nil, nil)
}

func TestAdminAccounts(t *testing.T) {
	withPostgres(t, func(t *testing.T, startWith func(*testing.T, bt.Options) *bt.Broker) {
		b := startWith(t, bt.Options{})
		api := bt.NewAdminAPI(t, b.URL)
		const unit = "91110000600037341L"

		wantField(t, api, "POST", "/admin/v1/units", map[string]any{"id": "91110000600037341X", "name": "坏校验位"}, "id")
		wantField(t, api, "POST", "/admin/v1/units", map[string]any{"id": unit, "name": ""}, "name")
		wantField(t, api, "POST", "/admin/v1/units", map[string]any{"id": unit, "name": "x", "extra": 1}, "extra")
		var u map[string]any
		api.Want(http.StatusCreated, "POST", "/admin/v1/units", map[string]any{"id": strings.ToLower(unit), "name": "北京测试有限公司", "customer_no": "110000000009"}, &u)
		if u["id"] != unit || u["status"] != "active" {
			t.Fatalf("created unit %v", u)
		}
		wantStatus(t, api, http.StatusConflict, "conflict", "POST", "/admin/v1/units", map[string]any{"id": unit, "name": "重复"})
		api.Want(http.StatusOK, "GET", "/admin/v1/units/"+unit, nil, &u)
		if u["name"] != "北京测试有限公司" {
			t.Fatalf("a refused duplicate changed the unit: %v", u)
		}
		api.Want(http.StatusOK, "PATCH", "/admin/v1/units/"+unit, map[string]any{"status": "disabled"}, &u)
		if u["status"] != "disabled" {
			t.Fatalf("updated unit %v", u)
		}
		wantField(t, api, "PATCH", "/admin/v1/units/"+unit, map[string]any{"status": "gone"}, "status")
		wantStatus(t, api, http.StatusNotFound, "not_found", "GET", "/admin/v1/units/91510100MA6CA8K60E", nil)

		// Paging: three units (two seeded), two per page.
		var ids []string
		cursor := ""
		for range 10 {
			var p listPage[map[string]any]
			api.Want(http.StatusOK, "GET", "/admin/v1/units?limit=2&cursor="+cursor, nil, &p)
			for _, it := range p.Items {
				ids = append(ids, it["id"].(string))
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if want := []string{unit, bt.UnitID, bt.Unit2ID}; !slices.Equal(ids, want) {
			t.Fatalf("paged units %v, want %v", ids, want)
		}
		wantField(t, api, "GET", "/admin/v1/units?limit=0", nil, "limit")

		// Persons: each document type by its own rule.
		for _, c := range []struct {
			idType, number string
			ok             bool
		}{
			{"resident_id", "110101199003074573", true},
			{"resident_id", "110101199003074574", false}, // check digit
			{"hk_macao_permit", "H12345678", true},
			{"hk_macao_permit", "X12345678", false},
			{"taiwan_permit", "87654321", true},
			{"taiwan_permit", "8765432", false},
			{"passport", "E12345678", true},
			{"passport", "E-1", false},
			{"driving_licence", "123", false},
		} {
			body := map[string]any{"name": "王五", "id_type": c.idType, "id_number": c.number}
			if c.ok {
				api.Want(http.StatusCreated, "POST", "/admin/v1/persons", body, nil)
				continue
			}
			field := "id_number"
			if c.idType == "driving_licence" {
				field = "id_type"
			}
			wantField(t, api, "POST", "/admin/v1/persons", body, field)
		}
		var p map[string]any
		api.Want(http.StatusCreated, "POST", "/admin/v1/persons", map[string]any{"name": "赵六", "id_number": "110101198001010053", "mobile": "13712345678", "password": "739216"}, &p)
		pid := p["id"].(string)
		if p["id_number_masked"] != "110***********0053" || p["mobile_masked"] != "137****5678" || p["has_password"] != true {
			t.Fatalf("created person %v: want masked forms only", p)
		}
		if raw := fmt.Sprint(p); strings.Contains(raw, "110101198001010053") || strings.Contains(raw, "13712345678") {
			t.Fatalf("person view leaks: %v", p)
		}
		wantStatus(t, api, http.StatusConflict, "conflict", "POST", "/admin/v1/persons", map[string]any{"name": "冒名", "id_number": "110101198001010053"})
		var found map[string]any
		api.Want(http.StatusOK, "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": "110101198001010053"}, &found)
		if found["id"] != pid {
			t.Fatalf("lookup found %v, want %s", found, pid)
		}
		wantStatus(t, api, http.StatusNotFound, "not_found", "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": "E99999999", "id_type": "passport"})
		api.Want(http.StatusOK, "PATCH", "/admin/v1/persons/"+pid, map[string]any{"mobile": "13712340000"}, &p)
		if p["mobile_masked"] != "137****0000" {
			t.Fatalf("updated person %v", p)
		}
		wantField(t, api, "PATCH", "/admin/v1/persons/"+pid, map[string]any{"mobile": "12345"}, "mobile")
		wantField(t, api, "PUT", "/admin/v1/persons/"+pid+"/password", map[string]any{"password": "123456"}, "password")
		api.Want(http.StatusNoContent, "PUT", "/admin/v1/persons/"+pid+"/password", map[string]any{"password": "582039"}, nil)
		var persons listPage[map[string]any]
		api.Want(http.StatusOK, "GET", "/admin/v1/persons?limit=500", nil, &persons)
		if len(persons.Items) != 7 { // two seeded, five created
			t.Fatalf("listed %d persons, want 7", len(persons.Items))
		}

		// Agents.
		upath := "/admin/v1/units/" + bt.UnitID + "/agents"
		api.Want(http.StatusCreated, "POST", upath, map[string]any{"person_id": pid, "roles": []string{"operator"}}, nil)
		wantStatus(t, api, http.StatusConflict, "conflict", "POST", upath, map[string]any{"person_id": pid})
		wantField(t, api, "POST", upath, map[string]any{"person_id": pid, "roles": []string{"boss"}}, "roles")
		wantStatus(t, api, http.StatusNotFound, "not_found", "POST", upath, map[string]any{"person_id": "p_nobody"})
		var agents listPage[map[string]any]
		api.Want(http.StatusOK, "GET", upath, nil, &agents)
		if len(agents.Items) != 2 {
			t.Fatalf("unit lists %d agents, want 2: %v", len(agents.Items), agents.Items)
		}
		var ag map[string]any
		api.Want(http.StatusOK, "PATCH", upath+"/"+pid, map[string]any{"roles": []string{"unit_admin", "operator"}, "status": "disabled"}, &ag)
		if ag["status"] != "disabled" || len(ag["roles"].([]any)) != 2 {
			t.Fatalf("updated agent %v", ag)
		}
		api.Want(http.StatusNoContent, "DELETE", upath+"/"+pid, nil, nil)
		wantStatus(t, api, http.StatusNotFound, "not_found", "DELETE", upath+"/"+pid, nil)
	})
}

func TestAdminLinks(t *testing.T) {
	withPostgres(t, func(t *testing.T, startWith func(*testing.T, bt.Options) *bt.Broker) {
		b := startWith(t, bt.Options{})
		api := bt.NewAdminAPI(t, b.URL)
		var p map[string]any
		api.Want(http.StatusOK, "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": bt.AgentIDNumber}, &p)
		pid := p["id"].(string)

		var l map[string]any
		api.Want(http.StatusCreated, "POST", "/admin/v1/links", map[string]any{"connector": "alipay", "subject": "074a1e59f3e6", "kind": "person", "person_id": pid}, &l)
		if l["created_by"] != "client:"+bt.AdminID {
			t.Fatalf("link %v: created_by should name the admin client", l)
		}
		wantStatus(t, api, http.StatusConflict, "conflict", "POST", "/admin/v1/links", map[string]any{"connector": "alipay", "subject": "074a1e59f3e6", "kind": "person", "person_id": pid})
		wantField(t, api, "POST", "/admin/v1/links", map[string]any{"connector": "Alipay!", "subject": "x", "kind": "person", "person_id": pid}, "connector")
		wantField(t, api, "POST", "/admin/v1/links", map[string]any{"connector": "alipay", "subject": "y", "kind": "robot", "person_id": pid}, "kind")

		// A CA certificate bound to the unit by fingerprint, and to an agent by issuer and serial.
		fp := strings.Repeat("AB:", 31) + "AB"
		api.Want(http.StatusCreated, "POST", "/admin/v1/links", map[string]any{"connector": "ca", "kind": "unit", "unit_id": bt.UnitID,
			"certificate": map[string]any{"fingerprint_sha256": fp}}, &l)
		if l["subject"] != "sha256:"+strings.Repeat("ab", 32) {
			t.Fatalf("fingerprint subject %v", l["subject"])
		}
		api.Want(http.StatusCreated, "POST", "/admin/v1/links", map[string]any{"connector": "ca", "kind": "agent", "unit_id": bt.UnitID, "person_id": pid,
			"certificate": map[string]any{"issuer": "CN=CFCA ACS OCA31,O=China Financial Certification Authority,C=CN", "serial": "0x1a2b3c"}}, &l)
		agentSubject := l["subject"].(string)
		if !strings.HasPrefix(agentSubject, "issuer-serial:") || !strings.HasSuffix(agentSubject, ":1a2b3c") {
			t.Fatalf("issuer-serial subject %q", agentSubject)
		}
		// The same certificate written another way is the same binding.
		wantStatus(t, api, http.StatusConflict, "conflict", "POST", "/admin/v1/links", map[string]any{"connector": "ca", "kind": "agent", "unit_id": bt.UnitID, "person_id": pid,
			"certificate": map[string]any{"issuer": "cn = CFCA ACS OCA31, o = China Financial Certification Authority, c = CN", "serial": "1715004"}})
		wantField(t, api, "POST", "/admin/v1/links", map[string]any{"connector": "ca", "kind": "unit", "unit_id": bt.UnitID,
			"certificate": map[string]any{"fingerprint_sha256": "abc"}}, "fingerprint_sha256")
		// An agent binding needs the agent record.
		wantStatus(t, api, http.StatusNotFound, "not_found", "POST", "/admin/v1/links", map[string]any{"connector": "ca", "kind": "agent", "unit_id": bt.Unit2ID, "person_id": pid,
			"certificate": map[string]any{"fingerprint_sha256": strings.Repeat("cd", 32)}})

		var of listPage[map[string]any]
		api.Want(http.StatusOK, "GET", "/admin/v1/links?principal="+pid, nil, &of)
		if len(of.Items) != 2 {
			t.Fatalf("person has %d links, want 2: %v", len(of.Items), of.Items)
		}
		var p1, p2 listPage[map[string]any] // fresh: decoding into a used page would merge
		api.Want(http.StatusOK, "GET", "/admin/v1/links?principal="+bt.UnitID+"&limit=1", nil, &p1)
		if len(p1.Items) != 1 || p1.NextCursor == "" {
			t.Fatalf("first page of the unit's links: %v, next %q", p1.Items, p1.NextCursor)
		}
		api.Want(http.StatusOK, "GET", "/admin/v1/links?principal="+bt.UnitID+"&limit=1&cursor="+url.QueryEscape(p1.NextCursor), nil, &p2)
		if len(p2.Items) != 1 || p2.NextCursor != "" || p2.Items[0]["subject"] == p1.Items[0]["subject"] {
			t.Fatalf("second page of the unit's links: %v, next %q", p2.Items, p2.NextCursor)
		}
		api.Want(http.StatusNoContent, "DELETE", "/admin/v1/links?connector=ca&subject="+agentSubject, nil, nil)
		wantStatus(t, api, http.StatusNotFound, "not_found", "DELETE", "/admin/v1/links?connector=ca&subject="+agentSubject, nil)
		var all listPage[map[string]any]
		api.Want(http.StatusOK, "GET", "/admin/v1/links", nil, &all)
		if len(all.Items) != 2 {
			t.Fatalf("%d links left, want 2", len(all.Items))
		}
	})
}

func TestAdminRevokeAndRotate(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	api := bt.NewAdminAPI(t, b.URL)
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	_, tok, claims := login(t, b, rp, br)
	sub := claims["sub"].(string)

	api.Want(http.StatusOK, "POST", "/admin/v1/principals/"+sub+"/revoke", nil, nil)
	if got, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken); err != nil || got["active"] != false {
		t.Fatalf("introspection after revoke: %v %v", got, err)
	}
	// oauth2's TokenSource refreshes only an expired token: make it one.
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Hour)
	if _, err := rp.OAuth2.TokenSource(context.Background(), &expired).Token(); err == nil {
		t.Fatal("refresh after revoking the principal succeeded")
	}
	// The SSO session is gone too: a new authorization asks for the password.
	f := rp.NewFlow()
	if loc, err := br.Get(f.URL); err != nil || loc != nil {
		t.Fatalf("after revoke the SSO session still answered: %v %v", loc, err)
	}
	api.Want(http.StatusAccepted, "POST", "/admin/v1/keys/rotate", nil, nil)
}

func TestAdminClientsAndIDNumberScope(t *testing.T) {
	withPostgres(t, func(t *testing.T, startWith func(*testing.T, bt.Options) *bt.Broker) {
		b := startWith(t, bt.Options{})
		api := bt.NewAdminAPI(t, b.URL)
		body := map[string]any{"client_id": "rp1", "client_name": "业务系统", "redirect_uris": []string{"https://rp.example/cb"},
			"grant_types": []string{"authorization_code", "refresh_token"}}
		var created map[string]any
		api.Want(http.StatusCreated, "POST", "/admin/v1/clients", body, &created)
		secret, _ := created["client_secret"].(string)
		if created["client_id"] != "rp1" || len(secret) < 32 {
			t.Fatalf("created client %v: want client_id and a secret shown once", created)
		}
		wantStatus(t, api, http.StatusConflict, "conflict", "POST", "/admin/v1/clients", body)
		var got map[string]any
		api.Want(http.StatusOK, "GET", "/admin/v1/clients/rp1", nil, &got)
		if _, ok := got["client_secret"]; ok {
			t.Fatal("GET shows the client secret")
		}
		for _, bad := range []struct {
			uri, field string
		}{
			{"http://rp.example/cb", "redirect_uris[0]"},
			{"https://rp.example/cb#frag", "redirect_uris[0]"},
			{"https://*.rp.example/cb", "redirect_uris[0]"},
		} {
			wantField(t, api, "POST", "/admin/v1/clients", map[string]any{"client_id": "rp2", "client_name": "x", "redirect_uris": []string{bad.uri}}, bad.field)
		}
		body["client_name"] = "业务系统（新）"
		api.Want(http.StatusOK, "PUT", "/admin/v1/clients/rp1", body, &got)
		if got["client_name"] != "业务系统（新）" {
			t.Fatalf("updated client %v", got)
		}
		var rotated map[string]any
		api.Want(http.StatusOK, "POST", "/admin/v1/clients/rp1/secret", nil, &rotated)
		if s, _ := rotated["client_secret"].(string); s == "" || s == secret {
			t.Fatalf("rotated secret %v", rotated)
		}
		wantStatus(t, api, http.StatusConflict, "conflict", "PUT", "/admin/v1/clients/"+bt.ClientID, map[string]any{"client_name": "x", "redirect_uris": []string{"https://x.example/cb"}})
		var list listPage[map[string]any]
		api.Want(http.StatusOK, "GET", "/admin/v1/clients", nil, &list)
		if len(list.Items) < 5 {
			t.Fatalf("listed %d clients", len(list.Items))
		}
		api.Want(http.StatusNoContent, "DELETE", "/admin/v1/clients/rp1", nil, nil)
		wantStatus(t, api, http.StatusNotFound, "not_found", "GET", "/admin/v1/clients/rp1", nil)

		// gjj:id_number: only a client an administrator granted it gets the number.
		rp := bt.NewRP(t, b.URL)
		rp.OAuth2.Scopes = append(rp.OAuth2.Scopes, "gjj:id_number")
		_, _, claims := login(t, b, rp, bt.NewBrowser(t))
		if _, ok := claims["id_number"]; ok {
			t.Fatalf("a client without the grant received the ID number")
		}
		// A confidential native client: http is allowed only on loopback.
		api.Want(http.StatusCreated, "POST", "/admin/v1/clients", map[string]any{"client_id": "hr", "client_name": "人事系统", "application_type": "native",
			"redirect_uris": []string{bt.RedirectURI}, "scopes": []string{"gjj:id_number"}, "token_endpoint_auth_method": "client_secret_basic"}, &created)
		rp2 := bt.NewRP(t, b.URL)
		rp2.OAuth2.ClientID, rp2.OAuth2.ClientSecret = "hr", created["client_secret"].(string)
		rp2.OAuth2.Scopes = []string{oidc.ScopeOpenID, "profile", "gjj:id_number"}
		rp2.Verifier = rp2.Provider.Verifier(&oidc.Config{ClientID: "hr"})
		_, _, claims = login(t, b, rp2, bt.NewBrowser(t))
		if claims["id_number"] != bt.AgentIDNumber || claims["id_type"] != "resident_id" {
			t.Fatalf("granted client: id_number %v id_type %v", claims["id_number"], claims["id_type"])
		}
	})
}

func TestAdminAuditAndNoPersonalDataInLogs(t *testing.T) {
	t.Parallel()
	logs := &bt.LogBuffer{}
	b := bt.Start(t, bt.Options{Log: logs})
	api := bt.NewAdminAPI(t, b.URL)
	const idNumber, mobile = "11010119800101007X", "13612345678"
	var p map[string]any
	api.Want(http.StatusCreated, "POST", "/admin/v1/persons", map[string]any{"name": "钱七", "id_number": idNumber, "mobile": mobile, "password": "739216"}, &p)
	pid := p["id"].(string)
	api.Want(http.StatusOK, "PATCH", "/admin/v1/persons/"+pid, map[string]any{"mobile": "13612340000"}, nil)
	wantField(t, api, "POST", "/admin/v1/persons", map[string]any{"name": "钱七", "id_number": "11010119800101007Y"}, "id_number")

	var events listPage[map[string]any]
	api.Want(http.StatusOK, "GET", "/admin/v1/audit?principal="+pid, nil, &events)
	var actions []string
	for _, e := range events.Items {
		actions = append(actions, e["action"].(string))
		if e["actor"] != "client:"+bt.AdminID || e["outcome"] != "success" {
			t.Errorf("event %v: want actor client:%s, outcome success", e, bt.AdminID)
		}
	}
	if !slices.Equal(actions, []string{"persons.create", "persons.update"}) {
		t.Fatalf("audit for %s: %v", pid, actions)
	}
	upd := events.Items[1]
	if before := upd["before"].(map[string]any); before["mobile"] != "136****5678" {
		t.Fatalf("audit before %v: want the masked old mobile", before)
	}
	api.Want(http.StatusOK, "GET", "/admin/v1/audit?type=admin.&since=1h", nil, &events)
	if len(events.Items) < 2 {
		t.Fatalf("type filter found %d events", len(events.Items))
	}
	wantField(t, api, "GET", "/admin/v1/audit?since=yesterday", nil, "since")

	all := fmt.Sprint(events.Items) + logs.String()
	for _, secret := range []string{idNumber, mobile, "13612340000"} {
		if strings.Contains(all, secret) {
			t.Errorf("%s appears unmasked in the audit trail or the logs", secret)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"audit"`) {
		t.Error("audit events are not mirrored to the log")
	}
}

func TestRevocationsAudited(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	api := bt.NewAdminAPI(t, b.URL)
	rp := bt.NewRP(t, b.URL)
	_, tok, claims := login(t, b, rp, bt.NewBrowser(t))
	if status, err := bt.Revoke(b.URL, bt.ClientID, bt.ClientSecret, tok.RefreshToken, "refresh_token"); err != nil || status != http.StatusOK {
		t.Fatalf("revoke: %d %v", status, err)
	}
	// A replayed code revokes what it issued.
	f, code := codeFor(t, b, rp)
	if _, _, err := rp.Exchange(context.Background(), f, code); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rp.Exchange(context.Background(), f, code); err == nil {
		t.Fatal("replayed code accepted")
	}
	var events listPage[map[string]any]
	api.Want(http.StatusOK, "GET", "/admin/v1/audit?type=token.revoke", nil, &events)
	var reasons []string
	for _, e := range events.Items {
		reasons = append(reasons, e["reason"].(string))
		if e["reason"] == "client_request" && (e["principal"] != claims["sub"] || e["actor"] != "client:"+bt.ClientID) {
			t.Errorf("client revocation event %v", e)
		}
	}
	if !slices.Equal(reasons, []string{"client_request", "code_replay"}) {
		t.Fatalf("revocations audited: %v", reasons)
	}
}
