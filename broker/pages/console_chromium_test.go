package pages_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
	"github.com/gjjid/gjjid/config"
)

var chooserPassword = regexp.MustCompile(`id="connector-password" href="([^"]+)"`)

// passwordLogin runs authURL in a fresh Go browser with the password form
// (past the chooser) and returns the redirect to the relying party.
func passwordLogin(t *testing.T, b *bt.Broker, authURL, user, password string) *url.URL {
	t.Helper()
	br := bt.NewBrowser(t)
	loc, err := br.Get(authURL)
	if err == nil && loc == nil {
		if m := chooserPassword.FindStringSubmatch(br.Page); m != nil {
			loc, err = br.Get(b.URL + strings.ReplaceAll(m[1], "&amp;", "&"))
		}
	}
	if err == nil && loc == nil {
		loc, err = br.SubmitPassword(b.URL, user, password)
	}
	if err != nil || loc == nil {
		t.Fatalf("password login: %v (page %d %.300s)", err, br.Last, br.Page)
	}
	return loc
}

// TestChromiumConsoleRegistersAClient: the demo staff member, signed in
// with a password, is stepped up to gjj:loa:2 by the simulated app when
// opening the console; registers a business system; copies its secret
// from the page; and the new client completes a code flow with the real
// RP libraries using that secret. On the memory store and on Redis.
func TestChromiumConsoleRegistersAClient(t *testing.T) {
	stores(t, func(t *testing.T, o bt.Options) {
		o.Edit = func(c *config.Config) {
			bt.WithAppScan("dev_app_page: true\ndev_app_user: \"" + bt.AgentMobile + "\"\n")(c)
		}
		b := bt.Start(t, o)
		grant(t, b, bt.AgentIDNumber, "gjjid:admin", "gjjid:counter", "gjjid:audit")

		staffTab := startChrome(t)
		staffTab.Do("open my account", chromedp.Navigate(b.URL+"/account"))
		staffTab.Do("choose the password", chromedp.WaitVisible(chromedp.ID("connector-password")), chromedp.Click(chromedp.ID("connector-password")))
		staffTab.Login(bt.AgentIDNumber, bt.AgentPassword)
		staffTab.WaitText("signed in at gjj:loa:1", "h1", "我的账号")

		// The console needs gjj:loa:2: the password session is stepped up
		// through the app's QR login.
		staffTab.Do("open the console", chromedp.Navigate(b.URL+"/admin"))
		staffTab.Do("the QR login is offered", chromedp.WaitReady(chromedp.CSS("img")))
		if strings.Contains(staffTab.Text("main"), "员工管理后台") {
			t.Fatal("the console opened on a gjj:loa:1 session")
		}
		app := startChrome(t)
		app.Do("open the simulated app", chromedp.Navigate(b.URL+"/dev/app"))
		app.Do("scan", chromedp.WaitVisible(chromedp.CSS("button.scan")), chromedp.Click(chromedp.CSS("button.scan")))
		app.WaitText("the scan went through", "body", ": ok")
		app.Do("confirm", chromedp.WaitVisible(chromedp.CSS("button.confirm")), chromedp.Click(chromedp.CSS("button.confirm")))
		staffTab.WaitText("the console after the step-up", "h1", "员工管理后台")

		staffTab.Do("open the registration form", chromedp.Navigate(b.URL+"/admin/clients/new"))
		staffTab.Do("fill and submit",
			chromedp.WaitVisible(chromedp.ID("client-name")),
			chromedp.SendKeys(chromedp.ID("client-name"), "浏览器登记的系统"),
			chromedp.SendKeys(chromedp.ID("client-redirect-uris"), bt.RedirectURI),
			chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		)
		staffTab.Do("the secret is shown", chromedp.WaitVisible(chromedp.ID("client-secret")))
		staffTab.Do("copy it", chromedp.Click(chromedp.ID("copy-secret")))
		staffTab.WaitText("the copy button answered", "#copy-status", "已复制")
		copied := chrometest.Eval[string](staffTab, "the selection or the copied text", `document.getElementById("client-secret").innerText.trim()`)
		id := staffTab.Text("#client-id")
		if errs := staffTab.ConsoleErrors(); len(errs) > 0 {
			t.Errorf("console errors on the console pages: %q", errs)
		}

		rp := bt.NewRP(t, b.URL)
		rp.OAuth2.ClientID, rp.OAuth2.ClientSecret = id, copied
		rp.Verifier = rp.Provider.Verifier(&oidc.Config{ClientID: id})
		f := rp.NewFlow()
		code, err := rp.Callback(f, passwordLogin(t, b, f.URL, bt.Agent2IDNumber, bt.Agent2Password))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, _, err := rp.Exchange(ctx, f, code); err != nil {
			t.Fatalf("the new client's code flow with the copied secret: %v", err)
		}
	})
}

// TestChromiumConsoleCounterRefusedClients: counter staff do not see the
// client pages in the nav and are refused them.
func TestChromiumConsoleCounterRefusedClients(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, o bt.Options) {
		b := bt.Start(t, staffOptions(o))
		grant(t, b, bt.AgentIDNumber, "gjjid:counter")
		tab := startChrome(t)
		tab.Do("open the console", chromedp.Navigate(b.URL+"/admin"))
		tab.Login(bt.AgentIDNumber, bt.AgentPassword)
		tab.WaitText("the console", "h1", "员工管理后台")
		if strings.Contains(tab.Text("nav"), "业务系统") {
			t.Fatalf("counter staff see the client pages in the nav: %q", tab.Text("nav"))
		}
		tab.Do("open the client pages", chromedp.Navigate(b.URL+"/admin/clients"))
		tab.WaitText("refused", "body", "您的角色不能使用这一部分")
	})
}
