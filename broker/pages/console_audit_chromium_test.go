package pages_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
)

// TestChromiumAuditorDashboard: an auditor's dashboard renders its SVG
// charts under the broker's Content Security Policy with the counts of a
// few logins, the audit page filters by outcome, and the export button
// downloads a CSV of the filtered range whose rows are the audit API's.
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
		// Export the filtered range: the downloaded CSV holds exactly the
		// failures the audit API lists under the same filter.
		dir := t.TempDir()
		done := make(chan string, 1)
		listenErr := chromedp.ListenBrowser(tab.Ctx, func(ev any) {
			if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
				select {
				case done <- e.GUID:
				default:
				}
			}
		})
		if listenErr != nil {
			t.Fatalf("listen to the browser: %v", listenErr)
		}
		events := true
		if _, err := chromedp.CallBrowser(tab.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events}); err != nil {
			t.Fatalf("allow downloads: %v", err)
		}
		tab.Do("export the filtered range", chromedp.Click(chromedp.ID("audit-export")))
		var file string
		select {
		case guid := <-done:
			file = filepath.Join(dir, guid)
		case <-time.After(chromiumTimeout / 2):
			t.Fatal("the CSV was not downloaded")
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatalf("the download is no CSV: %v: %.300s", err, raw)
		}
		var api struct {
			Items []struct{ ID, Type, Outcome string } `json:"items"`
		}
		bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodGet, "/admin/v1/audit?type=login.&limit=500", nil, &api)
		var failures []string
		for _, e := range api.Items {
			if e.Outcome == "failure" {
				failures = append(failures, e.ID)
			}
		}
		if len(rows) != len(failures)+1 || len(failures) != 1 || rows[1][0] != failures[0] || rows[1][4] != "failure" {
			t.Fatalf("downloaded CSV %v, the API's failures %v", rows, failures)
		}
		if errs := tab.ConsoleErrors(); len(errs) > 0 {
			t.Errorf("console errors (CSP?): %q", errs)
		}
	})
}
