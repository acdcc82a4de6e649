package broker_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/audit"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

var staffScopes = []string{"gjjid:admin", "gjjid:counter", "gjjid:audit"}

// staffBroker starts a broker whose demo client may ask for the role
// scopes and whose staff sign in at the password's level, so the test's
// password logins make staff tokens.
func staffBroker(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker, acr string) *bt.Broker {
	return start(t, bt.Options{Edit: func(c *config.Config) {
		c.Clients[0].Scopes = staffScopes
		c.Staff.ACR = acr
	}})
}

// staffToken logs the demo agent in asking for every role scope and
// returns the token and the agent's person ID.
func staffToken(t *testing.T, b *bt.Broker) (tok, person string, scopes []string) {
	t.Helper()
	rp := bt.NewRP(t, b.URL)
	rp.OAuth2.Scopes = append(rp.OAuth2.Scopes, staffScopes...)
	_, tk, claims := login(t, b, rp, bt.NewBrowser(t))
	intro, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tk.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := intro["scope"].(string)
	return tk.AccessToken, claims["sub"].(string), strings.Fields(sc)
}

// setRoles makes the person's roles exactly roles, through the API.
func setRoles(t *testing.T, admin *bt.API, person string, roles ...string) {
	t.Helper()
	admin.Want(http.StatusOK, http.MethodPost, "/admin/v1/staff/"+person+"/revoke", map[string]any{"roles": staffScopes}, nil)
	if len(roles) > 0 {
		admin.Want(http.StatusOK, http.MethodPost, "/admin/v1/staff/"+person+"/grant", map[string]any{"roles": roles}, nil)
	}
}

// TestAdminAPIRoleMatrix calls one endpoint of every group with every
// role, the admin client's token, a person's token without a role and no
// token. Roles are changed between calls on the same staff token: they
// are checked at the time of each call.
func TestAdminAPIRoleMatrix(t *testing.T) {
	withPostgres(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		b := staffBroker(t, start, "gjj:loa:1")
		admin := bt.NewAdminAPI(t, b.URL)
		person := personID(t, admin, bt.AgentIDNumber)
		setRoles(t, admin, person, staffScopes...)
		tok, sub, scopes := staffToken(t, b)
		if sub != person {
			t.Fatalf("token subject %s, want the agent %s", sub, person)
		}
		for _, s := range staffScopes {
			if !slices.Contains(scopes, s) {
				t.Fatalf("staff holding every role got scopes %v, missing %s", scopes, s)
			}
		}
		staffAPI := bt.NewTokenAPI(t, b.URL, tok)

		type call struct{ group, method, path string }
		calls := []call{
			{"clients", http.MethodGet, "/admin/v1/clients"},
			{"clients", http.MethodGet, "/admin/v1/clients/" + bt.ClientID},
			{"keys", http.MethodPost, "/admin/v1/keys/rotate"},
			{"staff", http.MethodGet, "/admin/v1/staff"},
			{"units", http.MethodGet, "/admin/v1/units"},
			{"persons", http.MethodGet, "/admin/v1/persons"},
			{"agents", http.MethodGet, "/admin/v1/units/" + bt.UnitID + "/agents"},
			{"links", http.MethodGet, "/admin/v1/links"},
			{"audit", http.MethodGet, "/admin/v1/audit?limit=1"},
		}
		reaches := map[string][]string{
			"gjjid:admin":   {"clients", "keys", "staff", "units", "persons", "agents", "links", "audit"},
			"gjjid:counter": {"units", "persons", "agents", "links"},
			"gjjid:audit":   {"audit"},
			"client":        {"clients", "keys", "staff", "units", "persons", "agents", "links", "audit"},
			"no role":       nil,
		}
		ok := func(c call) int {
			if c.method == http.MethodPost {
				return http.StatusAccepted
			}
			return http.StatusOK
		}
		for _, who := range []string{"gjjid:admin", "gjjid:counter", "gjjid:audit", "client", "no role"} {
			api := staffAPI
			switch who {
			case "client":
				api = admin
			case "no role":
				setRoles(t, admin, person)
			default:
				setRoles(t, admin, person, who)
			}
			for _, c := range calls {
				want, code := http.StatusForbidden, "insufficient_scope"
				if slices.Contains(reaches[who], c.group) {
					want, code = ok(c), ""
				}
				var e apiErr
				if got := api.Call(c.method, c.path, nil, &e); got != want || e.Error != code {
					t.Errorf("%s: %s %s = %d %q, want %d %q", who, c.method, c.path, got, e.Error, want, code)
				}
			}
		}
		// No token at all: 401 on every group.
		anon := bt.NewTokenAPI(t, b.URL, "")
		for _, c := range calls {
			if got := anon.Call(c.method, c.path, nil, nil); got != http.StatusUnauthorized {
				t.Errorf("no token: %s %s = %d, want 401", c.method, c.path, got)
			}
		}
		// The refusals are audited under the staff person, not a client.
		var denied listPage[audit.Event]
		admin.Want(http.StatusOK, http.MethodGet, "/admin/v1/audit?type=access.denied&principal="+person, nil, &denied)
		var counterRefused bool
		for _, e := range denied.Items {
			if e.Actor != "person:"+person {
				t.Errorf("denial names actor %q, want person:%s", e.Actor, person)
			}
			if e.Reason == "insufficient_scope" && strings.Contains(e.Action, "/clients") {
				counterRefused = true
			}
		}
		if !counterRefused {
			t.Errorf("no audited insufficient_scope refusal of a client endpoint among %d denials", len(denied.Items))
		}
	})
}

// TestStaffScopesOnlyForStaff: a person without roles asking for role
// scopes gets a token without them; a staff member's change is audited
// under their person.
func TestStaffScopesOnlyForStaff(t *testing.T) {
	t.Parallel()
	b := staffBroker(t, func(t *testing.T, o bt.Options) *bt.Broker { return bt.Start(t, o) }, "gjj:loa:1")
	admin := bt.NewAdminAPI(t, b.URL)
	tok, person, scopes := staffToken(t, b)
	if slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(staffScopes, s) }) {
		t.Fatalf("a person without roles was granted %v", scopes)
	}
	wantStatus(t, bt.NewTokenAPI(t, b.URL, tok), http.StatusForbidden, "insufficient_scope", http.MethodGet, "/admin/v1/units", nil)

	setRoles(t, admin, person, "gjjid:counter")
	tok, _, scopes = staffToken(t, b)
	if !slices.Contains(scopes, "gjjid:counter") || slices.Contains(scopes, "gjjid:admin") {
		t.Fatalf("counter staff got scopes %v, want gjjid:counter and not gjjid:admin", scopes)
	}
	counter := bt.NewTokenAPI(t, b.URL, tok)
	counter.Want(http.StatusOK, http.MethodPatch, "/admin/v1/units/"+bt.UnitID, map[string]any{"name": "改名单位"}, nil)
	var changes listPage[audit.Event]
	admin.Want(http.StatusOK, http.MethodGet, "/admin/v1/audit?type=admin.&principal="+person, nil, &changes)
	var named bool
	for _, e := range changes.Items {
		if strings.HasPrefix(e.Action, "units.") && e.Actor == "person:"+person {
			named = true
		}
	}
	if !named {
		t.Fatalf("the unit change is not audited under person:%s: %+v", person, changes.Items)
	}
	// Unknown roles and persons are refused with the field named.
	wantField(t, admin, http.MethodPost, "/admin/v1/staff/"+person+"/grant", map[string]any{"roles": []string{"gjjid:root"}}, "roles")
	wantStatus(t, admin, http.StatusNotFound, "not_found", http.MethodPost, "/admin/v1/staff/nobody/grant", map[string]any{"roles": []string{"gjjid:audit"}})
}

// TestStaffTokenNeedsTheConfiguredACR: with the default gjj:loa:2, a
// password login's staff token is answered insufficient_user_authentication.
func TestStaffTokenNeedsTheConfiguredACR(t *testing.T) {
	t.Parallel()
	b := staffBroker(t, func(t *testing.T, o bt.Options) *bt.Broker { return bt.Start(t, o) }, "gjj:loa:2")
	admin := bt.NewAdminAPI(t, b.URL)
	setRoles(t, admin, personID(t, admin, bt.AgentIDNumber), "gjjid:admin")
	tok, _, _ := staffToken(t, b)
	wantStatus(t, bt.NewTokenAPI(t, b.URL, tok), http.StatusUnauthorized, "insufficient_user_authentication", http.MethodGet, "/admin/v1/units", nil)
}

// personID looks a person up by ID number.
func personID(t *testing.T, admin *bt.API, idNumber string) string {
	t.Helper()
	var p struct {
		ID string `json:"id"`
	}
	admin.Want(http.StatusOK, http.MethodPost, "/admin/v1/persons/lookup", map[string]any{"id_type": "resident_id", "id_number": idNumber}, &p)
	return p.ID
}

// TestStaffAdminsSeeded: staff.admins grants gjjid:admin at start; a
// person not created yet is skipped, not a failed start.
func TestStaffAdminsSeeded(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		c.Staff.Admins = []config.StaffAdmin{{IDType: "resident_id", IDNumber: bt.AgentIDNumber}, {IDType: "resident_id", IDNumber: "11010519491231002X"}}
	}})
	var list listPage[struct {
		PersonID string   `json:"person_id"`
		Name     string   `json:"name"`
		Roles    []string `json:"roles"`
	}]
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodGet, "/admin/v1/staff", nil, &list)
	if len(list.Items) != 1 || list.Items[0].Name != bt.AgentName || !slices.Equal(list.Items[0].Roles, []string{"gjjid:admin"}) {
		t.Fatalf("staff = %+v, want the agent as gjjid:admin", list.Items)
	}
}
