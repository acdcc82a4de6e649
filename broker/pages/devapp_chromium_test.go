package pages_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

// TestChromiumDevAppButtons: the simulated app of `gjjid dev` scans and
// confirms a QR login from its own page in Chromium. Chromium posts those
// same-origin forms with Origin: null under the broker's Referrer-Policy:
// no-referrer; the page used to answer "403 cross-origin request refused".
func TestChromiumDevAppButtons(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		bt.WithAppScan("dev_app_page: true\ndev_app_user: \"" + bt.AgentMobile + "\"\n")(c)
		c.Clients[0].Connectors = []string{bt.AppScanID}
	}})
	rp := bt.NewRP(t, b.URL)
	f := rp.NewFlow()
	login := startChrome(t)
	login.Do("open the QR login", chromedp.Navigate(f.URL))
	login.Do("wait for the code", chromedp.WaitReady(chromedp.CSS("img")))

	app := startChrome(t)
	app.Do("open the simulated app", chromedp.Navigate(b.URL+"/dev/app"))
	app.Do("scan", chromedp.WaitVisible(chromedp.CSS("button.scan")), chromedp.Click(chromedp.CSS("button.scan")))
	app.WaitText("the scan went through", "body", ": ok")
	app.Do("confirm", chromedp.WaitVisible(chromedp.CSS("button.confirm")), chromedp.Click(chromedp.CSS("button.confirm")))
	app.WaitJS("the confirmation went through", `!document.querySelector("button.confirm") && document.body.innerText.includes("confirm ") && document.body.innerText.includes(": ok")`)
	if body := app.Text("body"); strings.Contains(body, "refused") || strings.Contains(body, "403") {
		t.Errorf("the simulated app refused its own buttons: %q", body)
	}
}
