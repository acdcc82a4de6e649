package pages_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	bt "github.com/gjjid/gjjid/broker/brokertest"
)

var personLinkRe = regexp.MustCompile(`href="(/admin/persons/[^"]+)"`)

// TestConsoleCounterUnlocksAndResets: counter staff find a person by ID
// number (posted), unlock their locked password login, reset the password
// with the must-change flag, and the person signs in with the new one.
func TestConsoleCounterUnlocksAndResets(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	grant(t, b, bt.AgentIDNumber, "gjjid:counter")
	br := signIn(t, b, "/admin/accounts", bt.AgentIDNumber, bt.AgentPassword)
	same := map[string]string{"Sec-Fetch-Site": "same-origin"}

	// Lock agent 2 with wrong passwords.
	for range 6 {
		if _, err := agentLogin(t, b, bt.Agent2IDNumber, "000000"); err == nil {
			t.Fatal("a wrong password signed in")
		}
	}
	if _, err := agentLogin(t, b, bt.Agent2IDNumber, bt.Agent2Password); err == nil {
		t.Fatal("the locked login signed in")
	}

	status, body, _ := post(t, br, b.URL+"/admin/accounts/search", url.Values{"csrf": {csrf(t, br)}, "q": {bt.Agent2IDNumber}}, same)
	m := personLinkRe.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil || !strings.Contains(body, bt.Agent2Name) {
		t.Fatalf("search by ID number: %d %.600s", status, body)
	}
	if _, err := br.Get(b.URL + m[1]); err != nil || br.Last != http.StatusOK || strings.Contains(br.Page, bt.Agent2IDNumber) {
		t.Fatalf("person record: %d %v (the full ID number must not show)", br.Last, err)
	}
	tok := csrf(t, br)
	status, _, where := post(t, br, b.URL+m[1]+"/unlock", url.Values{"csrf": {tok}}, same)
	if status != http.StatusSeeOther || !strings.Contains(where, "done=unlocked") {
		t.Fatalf("unlock: %d %s", status, where)
	}
	if _, err := agentLogin(t, b, bt.Agent2IDNumber, bt.Agent2Password); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	// A weak password is refused on its field; a good one is set with the flag.
	status, body, _ = post(t, br, b.URL+m[1]+"/password", url.Values{"csrf": {tok}, "password": {"123456"}, "must_change": {"1"}}, same)
	if status != http.StatusBadRequest || !strings.Contains(body, `id="reset-password-error">`) || strings.Contains(body, `id="reset-password-error" hidden`) {
		t.Fatalf("weak password: %d %.600s", status, body)
	}
	status, _, _ = post(t, br, b.URL+m[1]+"/password", url.Values{"csrf": {tok}, "password": {"592817"}, "must_change": {"1"}}, same)
	if status != http.StatusSeeOther {
		t.Fatalf("reset: %d", status)
	}
	if _, err := br.Get(b.URL + m[1]); err != nil || !strings.Contains(br.Page, `id="person-must-change"`) {
		t.Fatalf("the must-change flag is not shown: %.600s", br.Page)
	}
	// The reset password signs nobody in; it changes itself at
	// /password/change, and the new one signs in.
	if _, err := agentLogin(t, b, bt.Agent2IDNumber, "592817"); err == nil {
		t.Fatal("a password reset with must-change signed in")
	}
	pw := bt.NewBrowser(t)
	if _, err := pw.Get(b.URL + "/password/change"); err != nil || pw.Last != http.StatusOK {
		t.Fatalf("change page: %d %v", pw.Last, err)
	}
	change := url.Values{"csrf": {csrf(t, pw)}, "login": {bt.Agent2IDNumber}, "old_password": {"592817"}, "password": {"703518"}, "password2": {"703518"}}
	bad := url.Values{}
	for k, v := range change {
		bad[k] = v
	}
	bad.Set("old_password", "111111")
	if status, body, _ := post(t, pw, b.URL+"/password/change", bad, same); status != http.StatusBadRequest || !strings.Contains(body, `id="mc-old-error">`) {
		t.Fatalf("wrong reset password: %d %.400s", status, body)
	}
	if status, body, _ := post(t, pw, b.URL+"/password/change", change, same); status != http.StatusOK || !strings.Contains(body, "登录密码已修改") {
		t.Fatalf("change: %d %.400s", status, body)
	}
	if _, err := agentLogin(t, b, bt.Agent2IDNumber, "703518"); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
	if _, err := br.Get(b.URL + m[1]); err != nil || strings.Contains(br.Page, `id="person-must-change"`) {
		t.Fatalf("the flag outlived the change: %.400s", br.Page)
	}
	// Counter staff are refused the staff roles and client pages.
	for _, path := range []string{"/admin/staff", "/admin/clients"} {
		if _, err := br.Get(b.URL + path); err != nil || br.Last != http.StatusForbidden {
			t.Fatalf("counter opens %s: %d", path, br.Last)
		}
	}
}

// TestConsoleCounterRegistersPersonAndAgent: a person is registered with
// field errors for bad input, then made an agent of a unit (once).
func TestConsoleCounterRegistersPersonAndAgent(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	grant(t, b, bt.AgentIDNumber, "gjjid:counter")
	br := signIn(t, b, "/admin/accounts", bt.AgentIDNumber, bt.AgentPassword)
	same := map[string]string{"Sec-Fetch-Site": "same-origin"}
	idNumber := residentID("11010519800101003")
	person := url.Values{"csrf": {csrf(t, br)}, "name": {"赵六"}, "id_number": {idNumber[:17] + "0"}, "mobile": {"13612345678"}, "password": {"582913"}}
	if idNumber[17] == '0' {
		person.Set("id_number", idNumber[:17]+"1")
	}
	status, body, _ := post(t, br, b.URL+"/admin/persons", person, same)
	if status != http.StatusBadRequest || !strings.Contains(body, `id="person-id-number" name="id_number"`) || strings.Contains(body, `id="person-id-number-error" hidden`) {
		t.Fatalf("a wrong check digit: %d %.600s", status, body)
	}
	person.Set("id_number", idNumber)
	status, _, where := post(t, br, b.URL+"/admin/persons", person, same)
	if status != http.StatusSeeOther || !strings.HasPrefix(where, "/admin/persons/") {
		t.Fatalf("register: %d %s", status, where)
	}
	add := url.Values{"csrf": {csrf(t, br)}, "id_number": {idNumber}, "role": {"operator"}}
	status, _, where = post(t, br, b.URL+"/admin/units/"+bt.Unit2ID+"/agents", add, same)
	if status != http.StatusSeeOther || !strings.Contains(where, "done=agent_added") {
		t.Fatalf("add agent: %d %s", status, where)
	}
	if _, err := br.Get(b.URL + "/admin/units/" + bt.Unit2ID); err != nil || !strings.Contains(br.Page, "赵六") {
		t.Fatalf("the unit does not list the new agent: %.600s", br.Page)
	}
	if status, _, _ = post(t, br, b.URL+"/admin/units/"+bt.Unit2ID+"/agents", add, same); status != http.StatusConflict {
		t.Fatalf("adding the agent again: %d", status)
	}
	if unit, err := agentLogin(t, b, idNumber, "582913"); err != nil || unit != bt.Unit2ID {
		t.Fatalf("the new agent signs in for %q: %v", unit, err)
	}
}

// TestConsoleCounterEditsPersonAndAgent: counter staff correct a person's
// name and mobile (a bad mobile is refused on its field and changes
// nothing), change an agent's role and remove the agent; each change is
// audited under the staff person.
func TestConsoleCounterEditsPersonAndAgent(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	staffID := grant(t, b, bt.AgentIDNumber, "gjjid:counter")
	br := signIn(t, b, "/admin/accounts", bt.AgentIDNumber, bt.AgentPassword)
	same := map[string]string{"Sec-Fetch-Site": "same-origin"}
	ctx := context.Background()
	agent2, err := b.Accounts.FindByIDNumber(ctx, accounts.IDTypeResident, bt.Agent2IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	personURL := b.URL + "/admin/persons/" + agent2.ID
	if _, err := br.Get(personURL); err != nil || !strings.Contains(br.Page, `id="person-name"`) {
		t.Fatalf("the person record has no edit form: %d %v", br.Last, err)
	}
	tok := csrf(t, br)

	status, body, _ := post(t, br, personURL, url.Values{"csrf": {tok}, "name": {"赵六"}, "mobile": {"12345"}}, same)
	if status != http.StatusBadRequest || strings.Contains(body, `id="person-mobile-error" hidden`) || !strings.Contains(body, `id="person-mobile-error"`) {
		t.Fatalf("bad mobile: %d %.800s", status, body)
	}
	if p, _ := b.Accounts.GetPerson(ctx, agent2.ID); p.Name != agent2.Name {
		t.Fatalf("a refused edit changed the name to %q", p.Name)
	}
	status, _, where := post(t, br, personURL, url.Values{"csrf": {tok}, "name": {"赵六"}, "mobile": {"13912345678"}}, same)
	if status != http.StatusSeeOther || !strings.Contains(where, "done=updated") {
		t.Fatalf("edit: %d %s", status, where)
	}
	if p, _ := b.Accounts.GetPerson(ctx, agent2.ID); p.Name != "赵六" || p.MobileMasked != "139****5678" {
		t.Fatalf("after the edit: %q %q", p.Name, p.MobileMasked)
	}

	unitURL := b.URL + "/admin/units/" + bt.Unit2ID + "/agents/" + agent2.ID
	status, body, where = post(t, br, unitURL+"/roles", url.Values{"csrf": {tok}, "role": {"operator"}}, same)
	if status != http.StatusSeeOther || !strings.Contains(where, "done=roles") {
		t.Fatalf("change role: %d %s %.1500s", status, where, body)
	}
	if a, err := b.Accounts.Agent(ctx, agent2.ID, bt.Unit2ID); err != nil || !slices.Equal(a.Roles, []string{"operator"}) {
		t.Fatalf("after the role change: %+v %v", a, err)
	}
	status, body, _ = post(t, br, b.URL+"/admin/units/"+bt.UnitID+"/agents/"+agent2.ID+"/roles", url.Values{"csrf": {tok}, "role": {"operator"}}, same)
	if status != http.StatusBadRequest || !strings.Contains(body, "不是该单位的经办人") {
		t.Fatalf("role of a non-agent: %d %.600s", status, body)
	}
	status, _, where = post(t, br, unitURL+"/remove", url.Values{"csrf": {tok}}, same)
	if status != http.StatusSeeOther || !strings.Contains(where, "done=removed") {
		t.Fatalf("remove: %d %s", status, where)
	}
	if _, err := b.Accounts.Agent(ctx, agent2.ID, bt.Unit2ID); err == nil {
		t.Fatal("the agent is still there")
	}
	evs, _, err := b.Audit.Query(ctx, audit.Query{Principal: agent2.ID, Type: audit.AdminChange})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		if e.Actor == "person:"+staffID {
			actions = append(actions, e.Action)
		}
	}
	if want := []string{"persons.update", "agents.update", "agents.delete"}; !slices.Equal(actions, want) {
		t.Fatalf("audited staff actions %v, want %v", actions, want)
	}
}
