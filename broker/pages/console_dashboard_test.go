package pages_test

import (
	"regexp"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// total reads the total a chart shows.
func total(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"><figcaption>[^<]*<span class="total">(\d+)</span>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no chart %s on the dashboard", id)
	}
	return m[1]
}

// TestConsoleDashboardCounts: after a few logins the dashboard's charts
// (server-side SVG) show the right counts over 24 hours and 30 days.
func TestConsoleDashboardCounts(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	grant(t, b, bt.AgentIDNumber, "gjjid:audit")
	// Two successes (each a code exchange too) and one failure of agent 2.
	for _, pw := range []string{bt.Agent2Password, "000000", bt.Agent2Password} {
		_, _ = agentLogin(t, b, bt.Agent2IDNumber, pw)
	}
	// The auditor's own sign-in is the third success and code exchange.
	br := signIn(t, b, "/admin/dashboard", bt.AgentIDNumber, bt.AgentPassword)
	if !strings.Contains(br.Page, "<svg") || strings.Contains(br.Page, "<script src=\"http") {
		t.Fatalf("dashboard: %.600s", br.Page)
	}
	for id, want := range map[string]string{
		"login-password-success-24h": "3", "login-password-success-30d": "3",
		"login-password-failure-24h": "1", "login-password-failure-30d": "1",
		"tokens-authorization_code-24h": "3", "lockouts-24h": "0", "qr-24h": "0",
	} {
		if got := total(t, br.Page, id); got != want {
			t.Errorf("%s = %s, want %s", id, got, want)
		}
	}
}
