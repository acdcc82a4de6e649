package pages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

// TestStepUpWhenSessionTooOld: adding an agent after pages.step_up.max_age
// sends the browser through a new login (max_age), then back to the form
// with what was typed except the passwords; nothing is added on the way.
func TestStepUpWhenSessionTooOld(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		passwordStepUp(c)
		c.Pages.StepUp.MaxAge = time.Second
	}})
	br := signIn(t, b, "/unit", bt.AgentIDNumber, bt.AgentPassword)
	time.Sleep(2100 * time.Millisecond)
	form := url.Values{"csrf": {csrf(t, br)}}
	for k, v := range newAgent {
		form[k] = v
	}
	code, _, loc := post(t, br, b.URL+"/unit/agents", form, nil)
	if code != http.StatusSeeOther || !strings.Contains(loc, "/authorize?") || !strings.Contains(loc, "max_age=1") {
		t.Fatalf("stale session adding an agent: status %d to %q, want a login with max_age", code, loc)
	}
	if _, err := b.Accounts.FindByIDNumber(context.Background(), "resident_id", newAgent.Get("id_number")); err == nil {
		t.Fatal("the agent was added before the step-up")
	}
	if _, err := br.Get(loc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, `name="secret"`) {
		t.Fatalf("the step-up did not ask for a login again: %.1500s", br.Page)
	}
	if _, err := br.SubmitPassword(b.URL, bt.AgentIDNumber, bt.AgentPassword); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`value="王五"`, `value="` + newAgent.Get("id_number") + `"`, `value="13700137000"`} {
		if !strings.Contains(br.Page, want) {
			t.Errorf("the form came back without %s", want)
		}
	}
	if strings.Contains(br.Page, `value="582913"`) {
		t.Error("the form came back with the password filled in")
	}
}

// TestStepUpWhenSessionTooWeak: a password session (gjj:loa:1) asking for
// a change that needs gjj:loa:2 is sent to a login with acr_values; with
// only the password connector there, the login says a stronger method is
// needed, and nothing changes.
func TestStepUpWhenSessionTooWeak(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	br := signIn(t, b, "/unit", bt.AgentIDNumber, bt.AgentPassword)
	form := url.Values{"csrf": {csrf(t, br)}}
	for k, v := range newAgent {
		form[k] = v
	}
	code, _, loc := post(t, br, b.URL+"/unit/agents", form, nil)
	if code != http.StatusSeeOther || !strings.Contains(loc, "acr_values=gjj%3Aloa%3A2") {
		t.Fatalf("weak session adding an agent: status %d to %q, want a login with acr_values", code, loc)
	}
	if _, err := br.Get(loc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, "更高安全级别") {
		t.Errorf("login page: %.1500s", br.Page)
	}
	if _, err := b.Accounts.FindByIDNumber(context.Background(), "resident_id", newAgent.Get("id_number")); err == nil {
		t.Fatal("the agent was added without the step-up")
	}
}
