package broker_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// loginAs runs the code flow as user and returns the access token; a
// person acting for several units picks unit (or the first offered).
func loginAs(t *testing.T, b *bt.Broker, user, password string, unit ...string) string {
	t.Helper()
	rp := bt.NewRP(t, b.URL)
	f := rp.NewFlow()
	br := bt.NewBrowser(t)
	loc, err := br.Get(f.URL)
	if err == nil && loc == nil && strings.Contains(br.Page, `href="/login/password?`) {
		loc, err = br.Get(b.URL + regexpFind(t, br.Page, `href="(/login/password\?[^"]+)"`)) // the chooser
	}
	if err == nil && loc == nil {
		loc, err = br.SubmitPassword(b.URL, user, password)
	}
	if err != nil {
		t.Fatalf("login as %s: %v", user, err)
	}
	if loc == nil && strings.Contains(br.Page, `name="unit"`) {
		action, form, err := br.Form(b.URL)
		if err != nil {
			t.Fatal(err)
		}
		form.Set("unit", regexp.MustCompile(`name="unit" value="([^"]+)"`).FindStringSubmatch(br.Page)[1])
		if len(unit) > 0 {
			form.Set("unit", unit[0])
		}
		if loc, err = br.Post(action, form); err != nil {
			t.Fatal(err)
		}
	}
	return rp.Redeem(t, f, loc, nil, nil).AccessToken
}

func TestUnitSelfService(t *testing.T) {
	withPostgres(t, func(t *testing.T, startWith func(*testing.T, bt.Options) *bt.Broker) {
		b := startWith(t, bt.Options{})
		admin := bt.NewAdminAPI(t, b.URL)
		zhang := bt.NewTokenAPI(t, b.URL, loginAs(t, b, bt.AgentIDNumber, bt.AgentPassword))

		var agents listPage[map[string]any]
		zhang.Want(http.StatusOK, "GET", "/api/v1/unit/agents", nil, &agents)
		if len(agents.Items) != 1 || agents.Items[0]["name"] != bt.AgentName || agents.Items[0]["unit_id"] != bt.UnitID {
			t.Fatalf("unit 1 agents: %v", agents.Items)
		}
		// A new agent: a new person with an initial password.
		wantField(t, zhang, "POST", "/api/v1/unit/agents", map[string]any{"name": "孙八", "id_number": "110101199003074574", "mobile": "13512345678", "password": "739216"}, "id_number")
		wantField(t, zhang, "POST", "/api/v1/unit/agents", map[string]any{"name": "孙八", "id_number": "110101199003074573", "mobile": "13512345678"}, "password")
		var created map[string]any
		zhang.Want(http.StatusCreated, "POST", "/api/v1/unit/agents", map[string]any{"name": "孙八", "id_number": "110101199003074573", "mobile": "13512345678", "password": "739216"}, &created)
		sun := created["person_id"].(string)
		if created["existing_person"] != false || created["unit_id"] != bt.UnitID {
			t.Fatalf("created agent %v", created)
		}
		wantStatus(t, zhang, http.StatusConflict, "conflict", "POST", "/api/v1/unit/agents", map[string]any{"name": "孙八", "id_number": "110101199003074573", "password": "739216"})
		// The new agent can log in with the initial password.
		loginAs(t, b, "110101199003074573", "739216")

		var st map[string]any
		zhang.Want(http.StatusOK, "POST", "/api/v1/unit/agents/"+sun+"/disable", nil, &st)
		if st["status"] != "disabled" {
			t.Fatalf("disable answered %v", st)
		}
		zhang.Want(http.StatusOK, "POST", "/api/v1/unit/agents/"+sun+"/enable", nil, nil)
		wantField(t, zhang, "PUT", "/api/v1/unit/agents/"+sun+"/password", map[string]any{"password": "111111"}, "password")
		zhang.Want(http.StatusNoContent, "PUT", "/api/v1/unit/agents/"+sun+"/password", map[string]any{"password": "604817"}, nil)
		loginAs(t, b, "110101199003074573", "604817")

		// 李四 is unit 2's agent: unit 1's administrator may not touch him.
		var li map[string]any
		admin.Want(http.StatusOK, "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": bt.Agent2IDNumber}, &li)
		liID := li["id"].(string)
		for _, call := range []struct{ method, path string }{
			{"POST", "/api/v1/unit/agents/" + liID + "/disable"},
			{"POST", "/api/v1/unit/agents/" + liID + "/enable"},
			{"PUT", "/api/v1/unit/agents/" + liID + "/password"},
		} {
			wantStatus(t, zhang, http.StatusForbidden, "forbidden", call.method, call.path, map[string]any{"password": "604817"})
		}
		loginAs(t, b, bt.Agent2IDNumber, bt.Agent2Password) // unchanged
		var ag listPage[map[string]any]
		admin.Want(http.StatusOK, "GET", "/admin/v1/units/"+bt.Unit2ID+"/agents", nil, &ag)
		if len(ag.Items) != 1 || ag.Items[0]["status"] != "active" {
			t.Fatalf("unit 2's agent changed: %v", ag.Items)
		}
		var events listPage[map[string]any]
		admin.Want(http.StatusOK, "GET", "/admin/v1/audit?type=access.denied&principal="+liID, nil, &events)
		if len(events.Items) != 3 {
			t.Fatalf("%d refused cross-unit attempts audited, want 3: %v", len(events.Items), events.Items)
		}
		for _, e := range events.Items {
			if e["outcome"] != "denied" || e["actor_unit"] != bt.UnitID {
				t.Errorf("denied event %v", e)
			}
		}

		// A person already known (李四) joins unit 1 as they are: name must
		// match, and then unit 1 may not reset a password unit 2 relies on.
		wantField(t, zhang, "POST", "/api/v1/unit/agents", map[string]any{"name": "李五", "id_number": bt.Agent2IDNumber}, "name")
		zhang.Want(http.StatusCreated, "POST", "/api/v1/unit/agents", map[string]any{"name": bt.Agent2Name, "id_number": bt.Agent2IDNumber, "password": "999000"}, &created)
		if created["existing_person"] != true {
			t.Fatalf("existing person added as new: %v", created)
		}
		loginAs(t, b, bt.Agent2IDNumber, bt.Agent2Password) // the given password was not applied
		wantStatus(t, zhang, http.StatusForbidden, "forbidden", "PUT", "/api/v1/unit/agents/"+liID+"/password", map[string]any{"password": "604817"})

		// An operator (not unit_admin) may not manage agents.
		sunAPI := bt.NewTokenAPI(t, b.URL, loginAs(t, b, "110101199003074573", "604817"))
		wantStatus(t, sunAPI, http.StatusForbidden, "insufficient_scope", "GET", "/api/v1/unit/agents", nil)
		// Demoting the administrator takes effect at once, token or not.
		var zp map[string]any
		admin.Want(http.StatusOK, "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": bt.AgentIDNumber}, &zp)
		admin.Want(http.StatusOK, "PATCH", "/admin/v1/units/"+bt.UnitID+"/agents/"+zp["id"].(string), map[string]any{"roles": []string{"operator"}}, nil)
		wantStatus(t, zhang, http.StatusForbidden, "insufficient_scope", "GET", "/api/v1/unit/agents", nil)
	})
}
