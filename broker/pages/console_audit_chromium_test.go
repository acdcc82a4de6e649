package pages_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
)

// TestChromiumAuditorDashboard: an auditor's dashboard renders its SVG
// charts under the broker's Content Security Policy with the counts of a
// few logins, and the audit page filters by outcome. (The CSV's rows
// against the audit API: TestConsoleAuditorExportsCSV.)
func TestChromiumAuditorDashboard(t *testing.T) {
	stores(t, func(t *testing.T, o bt.Options) {
		b := bt.Start(t, staffOptions(o))
		grant(t, b, bt.AgentIDNumber, "gjjid:audit")
		for _, pw := range []string{bt.Agent2Password, "000000", bt.Agent2Password} {
			_, _ = agentLogin(t, b, bt.Agent2IDNumber, pw)
		}
		tab := startChrome(t)
		tab.Do("open the dashboard", chromedp.Navigate(b.URL+"/admin/dashboard"))
		tab.Login(bt.AgentIDNumber, bt.AgentPassword)
		tab.WaitText("the dashboard", "h1", "运行概况")
		for sel, want := range map[string]string{
			"#login-password-success-24h .total": "3",
			"#login-password-failure-24h .total": "1",
			"#login-password-failure-30d .total": "1",
		} {
			if got := tab.Text(sel); got != want {
				t.Errorf("%s = %q, want %s", sel, got, want)
			}
		}
		if n := chrometest.Eval[int](tab, "bars", `document.querySelectorAll("#login-password-success-24h svg rect").length`); n != 24 {
			t.Errorf("the 24-hour chart has %d bars, want 24", n)
		}
		tab.Do("filter the audit by failures", chromedp.Navigate(b.URL+"/admin/audit"),
			chromedp.WaitVisible(chromedp.ID("f-type")), chromedp.SendKeys(chromedp.ID("f-type"), "login."),
			chromedp.SetValue(chromedp.ID("f-outcome"), "failure"), chromedp.Click(chromedp.ID("audit-apply")))
		// The filtered page keeps its filter and lists the one failure.
		tab.WaitJS("only the failure is listed", `document.getElementById("f-type") && document.getElementById("f-type").value === "login." && document.querySelectorAll("#audit tbody tr").length === 1 && document.querySelector("#audit tbody").innerText.includes("login.failure")`)
		if errs := tab.ConsoleErrors(); len(errs) > 0 {
			t.Errorf("console errors (CSP?): %q", errs)
		}
	})
}
