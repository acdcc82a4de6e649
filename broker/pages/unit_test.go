package pages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

// passwordStepUp lets the password login (gjj:loa:1) make every change, so
// tests of the rules need no certificate.
func passwordStepUp(c *config.Config) {
	c.Pages.StepUp.AddAgent, c.Pages.StepUp.ResetPassword = "gjj:loa:1", "gjj:loa:1"
}

// TestUnitPageAddsAgentWhoThenSignsIn: the demo unit's administrator
// signs in at /unit through the broker's own code flow, adds an agent with
// every field, and that agent signs in with the password connector and
// gets tokens for the unit; disabled, their next login is refused.
func TestUnitPageAddsAgentWhoThenSignsIn(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: passwordStepUp})
	br := signIn(t, b, "/unit", bt.AgentIDNumber, bt.AgentPassword)
	for _, want := range []string{"单位登录权限管理", bt.UnitName, bt.AgentName, "510***********1236"} {
		if !strings.Contains(br.Page, want) {
			t.Errorf("unit page lacks %q", want)
		}
	}
	form := url.Values{}
	for k, v := range newAgent {
		form[k] = v
	}
	form.Set("csrf", csrf(t, br))
	form["roles"] = []string{"operator", "unit_admin"}
	if _, err := br.Post(b.URL+"/unit/agents", form); err != nil {
		t.Fatal(err)
	}
	if br.Last != http.StatusOK || !strings.Contains(br.Page, "已添加经办人") || !strings.Contains(br.Page, "王五") {
		t.Fatalf("after adding: status %d: %.3000s", br.Last, br.Page)
	}
	agentBrowser := bt.NewBrowser(t)
	unit, err := agentLoginWith(t, b, agentBrowser, newAgent.Get("id_number"), newAgent.Get("password"))
	if err != nil || unit != bt.UnitID {
		t.Fatalf("the new agent's login: unit %q, %v; want tokens for %s", unit, err, bt.UnitID)
	}

	ctx := context.Background()
	p, err := b.Accounts.FindByIDNumber(ctx, "resident_id", newAgent.Get("id_number"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := br.Get(b.URL + "/unit"); err != nil {
		t.Fatal(err)
	}
	if _, err := br.Post(b.URL+"/unit/agents/status", url.Values{"csrf": {csrf(t, br)}, "person": {p.ID}, "status": {"disabled"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, "已停用该经办人") {
		t.Fatalf("after disabling: status %d: %.2000s", br.Last, br.Page)
	}
	if unit, err := agentLogin(t, b, newAgent.Get("id_number"), newAgent.Get("password")); unit == bt.UnitID {
		t.Fatalf("a disabled agent still gets tokens for the unit (%v)", err)
	}
	// Their browser's SSO session was revoked: no silent tokens either.
	rp := bt.NewRP(t, b.URL)
	f := rp.NewFlow()
	if loc, err := agentBrowser.Get(f.URL); err != nil || loc != nil || !strings.Contains(agentBrowser.Page, `name="secret"`) {
		t.Errorf("the disabled agent's SSO session still answers: redirect %v, %v: %.500s", loc, err, agentBrowser.Page)
	}
}

// TestUnitPageRefusesBadInput: each field's rule is checked on the server,
// named in the answer, and nothing is created.
func TestUnitPageRefusesBadInput(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: passwordStepUp})
	br := signIn(t, b, "/unit", bt.AgentIDNumber, bt.AgentPassword)
	token := csrf(t, br)
	for _, tc := range []struct {
		name, field, value, want string
	}{
		{"check digit", "id_number", newAgent.Get("id_number")[:17] + "0", "校验码"},
		{"mobile", "mobile", "12345678901", "以13–19开头"},
		{"weak password", "password", "123456", "不能是连续数字"},
		{"passwords differ", "password2", "582914", "两次输入的登录密码不一致"},
		{"empty name", "name", " ", "请输入姓名"},
		{"permit", "id_type", "hk_macao_permit", "H或M加8位或10位数字"},
		{"name of a known person", "id_number", bt.Agent2IDNumber, "姓名与该证件号码已登记的姓名不一致"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"csrf": {token}}
			for k, v := range newAgent {
				form[k] = v
			}
			form.Set(tc.field, tc.value)
			code, body, _ := post(t, br, b.URL+"/unit/agents", form, nil)
			if code != http.StatusBadRequest || !strings.Contains(body, tc.want) || !strings.Contains(body, `aria-invalid="true"`) {
				t.Errorf("status %d, want 400 naming the field with %q: %.3000s", code, tc.want, body)
			}
			if _, err := b.Accounts.FindByIDNumber(context.Background(), "resident_id", newAgent.Get("id_number")); err == nil && tc.field != "id_number" {
				t.Errorf("the agent was created despite the error")
			}
		})
	}
}

// TestUnitPageFormGuards: a form post without the session's CSRF token,
// from another site, or naming a person who is no agent of the unit is
// refused with a clear message and changes nothing; Chromium's same-origin
// post (Origin: null, Sec-Fetch-Site: same-origin) is accepted.
func TestUnitPageFormGuards(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: passwordStepUp})
	ctx := context.Background()
	br := signIn(t, b, "/unit", bt.AgentIDNumber, bt.AgentPassword)
	form := url.Values{"csrf": {csrf(t, br)}}
	for k, v := range newAgent {
		form[k] = v
	}
	if code, body, _ := post(t, br, b.URL+"/unit/agents", form, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"}); code != http.StatusSeeOther {
		t.Fatalf("adding an agent: status %d: %.2000s", code, body)
	}
	agent, err := b.Accounts.FindByIDNumber(ctx, "resident_id", newAgent.Get("id_number"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.Accounts.FindByIDNumber(ctx, "resident_id", bt.Agent2IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	token := csrf(t, br)
	for _, tc := range []struct {
		name, token, person string
		headers             map[string]string
		status              int
		want                string
	}{
		{"missing token", "", agent.ID, nil, http.StatusForbidden, "页面已过期"},
		{"forged token", strings.Repeat("A", 43), agent.ID, nil, http.StatusForbidden, "页面已过期"},
		{"cross-site", token, agent.ID, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden, "其他网站"},
		{"same-site", token, agent.ID, map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.example"}, http.StatusForbidden, "其他网站"},
		{"foreign origin", token, agent.ID, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden, "其他网站"},
		{"another unit's person", token, other.ID, nil, http.StatusForbidden, "不是本单位的经办人"},
		{"not an agent", token, "p_nobody", nil, http.StatusForbidden, "不是本单位的经办人"},
		{"chromium same-origin", token, agent.ID, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"}, http.StatusSeeOther, ""},
	} {
		code, body, _ := post(t, br, b.URL+"/unit/agents/status", url.Values{"csrf": {tc.token}, "person": {tc.person}, "status": {"disabled"}}, tc.headers)
		if code != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: status %d, want %d with %q: %.1500s", tc.name, code, tc.status, tc.want, body)
		}
		ag, err := b.Accounts.Agent(ctx, agent.ID, bt.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		if wantDisabled := tc.status == http.StatusSeeOther; (ag.Status == accounts.StatusDisabled) != wantDisabled {
			t.Errorf("%s: agent status %s after the post", tc.name, ag.Status)
		}
		ag2, err := b.Accounts.Agent(ctx, other.ID, bt.Unit2ID)
		if err != nil || ag2.Status != accounts.StatusActive {
			t.Errorf("%s: the other unit's agent changed: %+v %v", tc.name, ag2, err)
		}
	}
	// A reset for a person who is also another unit's agent is refused.
	if _, err := b.Accounts.AddAgent(ctx, other.ID, bt.UnitID, nil); err != nil {
		t.Fatal(err)
	}
	code, body, _ := post(t, br, b.URL+"/unit/agents/password", url.Values{"csrf": {token}, "person": {other.ID}, "password": {"582913"}, "password2": {"582913"}}, nil)
	if code != http.StatusForbidden || !strings.Contains(body, "柜台重置") {
		t.Errorf("reset of another unit's agent: status %d: %.1500s", code, body)
	}
	p2, err := b.Accounts.GetPerson(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Accounts.VerifyPassword(p2.PasswordHash, bt.Agent2Password); !ok || err != nil {
		t.Errorf("the other unit's agent lost their password: %v", err)
	}
}

// TestUnitPageRefusesOperators: an agent without unit_admin is refused.
func TestUnitPageRefusesOperators(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		c.Seed.Persons[0].Roles = []string{"operator"}
	}})
	br := bt.NewBrowser(t)
	if _, err := br.Get(b.URL + "/unit"); err != nil {
		t.Fatal(err)
	}
	if _, err := br.SubmitPassword(b.URL, bt.AgentIDNumber, bt.AgentPassword); err != nil {
		t.Fatal(err)
	}
	if br.Last != http.StatusForbidden || !strings.Contains(br.Page, "管理员经办人") {
		t.Errorf("operator at /unit: status %d: %.1000s", br.Last, br.Page)
	}
}

// TestUnitPageEnglish: ?lang=en switches the page, and the choice sticks
// for the form posts that follow (errors in English too).
func TestUnitPageEnglish(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: passwordStepUp})
	br := signIn(t, b, "/unit", bt.AgentIDNumber, bt.AgentPassword)
	if _, err := br.Get(b.URL + "/unit?lang=en"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, "Unit sign-in management") || !strings.Contains(br.Page, `lang="en"`) {
		t.Fatalf("English page: %.1000s", br.Page)
	}
	form := url.Values{"csrf": {csrf(t, br)}}
	for k, v := range newAgent {
		form[k] = v
	}
	form.Set("mobile", "123")
	code, body, _ := post(t, br, b.URL+"/unit/agents", form, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, "Enter an 11-digit mobile number") {
		t.Errorf("English error: status %d: %.1500s", code, body)
	}
}
