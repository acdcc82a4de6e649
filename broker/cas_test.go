package broker_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/cas"
	"github.com/gjjid/gjjid/connectors/cas/castest"
)

// A new unit the broker does not know yet: its legal person logs in
// through a CAS platform.
const (
	casUnitID   = "91110000600037341L"
	casUnitName = "北京示例有限公司"
)

func withCAS(t *testing.T, srv *castest.Server) bt.Options {
	return bt.Options{Edit: func(c *config.Config) {
		c.Connectors = append(c.Connectors, config.Connector{ID: "cas", Type: cas.Type, Name: "统一身份认证（CAS）", Config: yamlNode(t, `server: `+srv.URL+`
claims:
  name: attributes.cn
  user_type: attributes.usertype
  credit_code: attributes.useridcode
  id_number: attributes.idcardnumber
  level: attributes.level
user_types: {"1": person, "2": legal_person}
levels: {"3": gjj:loa:2, "4": gjj:loa:2, "5": gjj:loa:3}
`)})
		c.Clients[0].Connectors = []string{"cas"}
	}}
}

func casUsers() []castest.User {
	return []castest.User{
		{Name: "corp-1", Attributes: map[string][]string{"cn": {casUnitName}, "usertype": {"2"}, "useridcode": {casUnitID}, "level": {"4"}}},
		{Name: "zhangsan", Attributes: map[string][]string{"cn": {bt.AgentName}, "usertype": {"1"}, "idcardnumber": {bt.AgentIDNumber}, "level": {"3"}}},
	}
}

func TestCASLegalPersonLogin(t *testing.T) {
	t.Parallel()
	srv := castest.NewServer(casUsers()...)
	t.Cleanup(srv.Close)
	b := bt.Start(t, withCAS(t, srv))
	rp := bt.NewRP(t, b.URL)

	// The legal person of a unit new to the broker: the unit is created
	// and the token acts for it with the role legal_person.
	br := bt.NewBrowser(t)
	f := rp.NewFlow()
	loc, err := br.Get(f.URL)
	if err != nil || loc != nil || !strings.Contains(br.Page, "模拟统一身份认证平台") {
		t.Fatalf("want the fake's chooser: %v %v %.300s", loc, err, br.Page)
	}
	loc, err = br.Get(srv.URL + "/login?" + url.Values{"service": {lastService(srv)}, "as": {"corp-1"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	claims := exchange(t, rp, f, loc)
	roles, _ := claims["roles"].([]any)
	if claims["sub"] != "u_"+casUnitID || claims["unit_id"] != casUnitID || claims["unit_name"] != casUnitName ||
		!slices.Contains(roles, any("legal_person")) || claims["idp"] != "cas" || claims["acr"] != "gjj:loa:2" {
		t.Fatalf("legal-person claims %v", claims)
	}

	// A person with a verified ID number: linked to the existing agent.
	srv.As("zhangsan")
	br2 := bt.NewBrowser(t)
	f2 := rp.NewFlow()
	loc, err = br2.Get(f2.URL)
	if err != nil || loc != nil {
		t.Fatalf("chooser: %v %v", loc, err)
	}
	loc, err = br2.Get(srv.URL + "/login?" + url.Values{"service": {lastService(srv)}, "as": {"zhangsan"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if loc == nil {
		t.Fatalf("person login: %d %.500s", br2.Last, br2.Page)
	}
	if c := exchange(t, rp, f2, loc); c["name"] != bt.AgentName || c["unit_id"] != bt.UnitID {
		t.Fatalf("person claims %v", c)
	}

	// prompt=login makes CAS ask again (renew=true).
	f3 := rp.NewFlow(oauth2.SetAuthURLParam("prompt", "login"))
	if _, err := br.Get(f3.URL); err != nil {
		t.Fatal(err)
	}
	if l := srv.Logins(); l[len(l)-1].Get("renew") != "true" {
		t.Fatalf("prompt=login sent %v, want renew=true", l[len(l)-1])
	}
}

func casLogin(t *testing.T, b *bt.Broker, rp *bt.RP, br *bt.Browser) string {
	t.Helper()
	f := rp.NewFlow()
	loc, err := br.Get(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	return rp.Redeem(t, f, loc, br, nil).Extra("id_token").(string)
}

func silent(t *testing.T, rp *bt.RP, br *bt.Browser) string {
	t.Helper()
	loc, err := br.Get(rp.NewFlow(oauth2.SetAuthURLParam("prompt", "none")).URL)
	if err != nil || loc == nil {
		t.Fatalf("prompt=none: %v %v", loc, err)
	}
	if e := loc.Query().Get("error"); e != "" {
		return e
	}
	return "ok"
}

// TestCASSingleLogout: CAS's logoutRequest POST ends the broker session
// of that ticket; the broker's end_session passes through CAS /logout.
func TestCASSingleLogout(t *testing.T) {
	t.Parallel()
	srv := castest.NewServer(casUsers()[1])
	t.Cleanup(srv.Close)
	b := bt.Start(t, withCAS(t, srv))
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	casLogin(t, b, rp, br)
	if got := silent(t, rp, br); got != "ok" {
		t.Fatalf("before logout: %s", got)
	}
	// The user logs out at CAS: it POSTs a logoutRequest to the broker.
	if _, err := br.Get(srv.URL + "/logout"); err != nil {
		t.Fatal(err)
	}
	if errs := srv.SingleLogoutErrors(); len(errs) > 0 {
		t.Fatalf("single logout: %v", errs)
	}
	if got := silent(t, rp, br); got != "login_required" {
		t.Fatalf("after CAS single logout: %s, want login_required", got)
	}
	// A forged or unknown ticket changes nothing and reads as success.
	resp, err := http.PostForm(b.URL+"/login/cas/callback", url.Values{"logoutRequest": {castest.LogoutRequest("ST-unknown-1")}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("unknown ticket: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, _ = http.PostForm(b.URL+"/login/cas/callback", url.Values{"logoutRequest": {"<x>"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed logoutRequest: %d", resp.StatusCode)
	}
	resp.Body.Close()

	// RP-initiated logout goes through CAS /logout and back to the RP.
	idt := casLogin(t, b, rp, br)
	q := url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {bt.PostLogoutURI}, "state": {"bye"}}
	loc, err := br.Get(b.URL + "/end_session?" + q.Encode())
	if err != nil || loc == nil || !strings.HasPrefix(loc.String(), bt.PostLogoutURI) || loc.Query().Get("state") != "bye" {
		t.Fatalf("end_session through CAS: %v %v (%d %.300s)", loc, err, br.Last, br.Page)
	}
	if got := silent(t, rp, br); got != "login_required" {
		t.Fatalf("after end_session: %s", got)
	}
	// CAS's own session is gone too: its next login issues a fresh one
	// (the fake's cookie was cleared by /logout).
	for _, c := range br.Client.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(strings.TrimSuffix(srv.URL, "/cas"), "http://"), Path: "/cas"}) {
		if c.Name == "CASTGC" {
			t.Fatal("CAS session cookie kept after logout")
		}
	}
	// A logged-out return with a forged state lands on the broker's page.
	other := bt.NewBrowser(t)
	if loc, _ := other.Get(b.URL + "/login/cas/logged-out?state=forged"); loc != nil || other.Last != http.StatusOK {
		t.Fatalf("forged logout state: %v %d", loc, other.Last)
	}
}

// TestCASBadAnswerStoresNothing: a malformed validation answer shows the
// error page and creates no unit, person, link or session.
func TestCASBadAnswerStoresNothing(t *testing.T) {
	t.Parallel()
	srv := castest.NewServer(casUsers()[0])
	t.Cleanup(srv.Close)
	srv.Respond(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>corp-1</cas:user><cas:attributes><cas:usertype>2</cas:usertype></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>`)
	logs := &bt.LogBuffer{}
	o := withCAS(t, srv)
	o.Log = logs
	b := bt.Start(t, o)
	br := bt.NewBrowser(t)
	if loc, _ := br.Get(bt.NewRP(t, b.URL).NewFlow().URL); loc != nil || br.Last != http.StatusForbidden {
		t.Fatalf("bad answer: %v %d", loc, br.Last)
	}
	if strings.Contains(br.Page, "attributes.cn") {
		t.Fatal("the page names the attribute")
	}
	if !strings.Contains(logs.String(), "name (path attributes.cn)") {
		t.Fatalf("the log does not name the missing attribute:\n%s", logs)
	}
	admin := bt.NewAdminAPI(t, b.URL)
	admin.Want(http.StatusNotFound, "GET", "/admin/v1/units/"+casUnitID, nil, nil)
	var links listPage[map[string]any]
	admin.Want(http.StatusOK, "GET", "/admin/v1/links", nil, &links)
	if len(links.Items) != 0 {
		t.Fatalf("links stored: %v", links.Items)
	}
}

// lastService is the service URL of CAS's last /login request.
func lastService(srv *castest.Server) string {
	l := srv.Logins()
	return l[len(l)-1].Get("service")
}
