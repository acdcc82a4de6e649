package pages_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gjjid/gjjid/broker/accounts"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// stores runs f on the memory store and on Redis.
func stores(t *testing.T, f func(t *testing.T, o bt.Options)) {
	t.Run("memory", func(t *testing.T) { t.Parallel(); f(t, bt.Options{}) })
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		f(t, bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t)})
	})
}

// withDemoCertificate adds the certificate connector with the demo signer,
// as `gjjid dev` has it, and returns the demo unit's certificate and key
// files.
func withDemoCertificate(t *testing.T, o *bt.Options) (certFile, keyFile string) {
	t.Helper()
	ca := withCertificateConnector(t, o, "auto")
	return bt.DemoCertFiles(t, ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, bt.UnitName)}))
}

// withCertificateConnector adds the certificate connector "cert" with the
// demo signer and the given link policy, trusting a new test CA.
func withCertificateConnector(t *testing.T, o *bt.Options, policy string) *x509test.CA {
	t.Helper()
	ca := x509test.NewCA(t, x509test.ECDSA, "Unit CA pages", nil)
	cert := bt.CertConnector(t, ca, "link_policy: "+policy+"\n", "")
	o.Connectors = connectors.Registry{cx.Type: cx.Factory}
	edit := o.Edit
	o.Edit = func(c *config.Config) {
		c.Connectors = append(c.Connectors, cert)
		c.Login.DemoSigner = true
		c.Clients[0].Connectors = []string{"password"} // agentLogin's form
		if edit != nil {
			edit(c)
		}
	}
	return ca
}

// TestChromiumUnitSignsInAndAddsAgent: the demo unit signs in at the
// broker itself with its demo certificate and lands on 单位登录权限管理;
// the browser's own checks catch a mistyped ID number (announced and
// focused, nothing posted); the unit adds an agent with every field; that
// agent signs in with the password connector and gets tokens for the unit;
// the unit disables the agent and their next login gets none.
func TestChromiumUnitSignsInAndAddsAgent(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, o bt.Options) {
		certFile, keyFile := withDemoCertificate(t, &o)
		b := bt.Start(t, o)
		c := startChrome(t)
		certSignIn(c, b.URL+"/", certFile, keyFile)
		c.WaitText("land on the unit's page", "h1", "单位登录权限管理")
		if got := c.Text("#unit-name"); !strings.Contains(got, bt.UnitName) {
			t.Errorf("unit page names %q, want %s", got, bt.UnitName)
		}
		if w := chrometest.Eval[string](c, "width", `document.documentElement.scrollWidth + "/" + window.innerWidth`); w != "390/390" {
			t.Errorf("the unit page does not fit a phone's width (scroll/viewport %s, want 390/390)", w)
		}

		// A mistyped check digit: pages.js refuses it where it is typed.
		idNumber := newAgent.Get("id_number")
		typo := idNumber[:17] + map[bool]string{true: "1", false: "0"}[idNumber[17] == '0']
		c.Do("fill the form with a typo",
			chromedp.WaitVisible(chromedp.ID("agent-name")),
			chromedp.SendKeys(chromedp.ID("agent-name"), "王五"),
			chromedp.SendKeys(chromedp.ID("agent-id-number"), typo),
			chromedp.SendKeys(chromedp.ID("agent-mobile"), newAgent.Get("mobile")),
			chromedp.SendKeys(chromedp.ID("agent-password"), newAgent.Get("password")),
			chromedp.SendKeys(chromedp.ID("agent-password2"), newAgent.Get("password")),
			chromedp.Click(chromedp.ID("agent-roles-1")),
			chromedp.Click(chromedp.CSS(`form[action="/unit/agents"] button[type=submit]`)),
		)
		c.WaitText("the ID number's error", "#agent-id-number-error", "证件号码")
		if id := chrometest.Eval[string](c, "focus", `document.activeElement.id`); id != "agent-id-number" {
			t.Errorf("focus on %q after the error, want the ID number", id)
		}
		if v := chrometest.Eval[string](c, "aria", `document.getElementById("agent-id-number").getAttribute("aria-invalid")+"|"+document.querySelector(".summary").getAttribute("role")`); v != "true|alert" {
			t.Errorf("error not announced: %q", v)
		}
		if _, err := b.Accounts.FindByIDNumber(c.Ctx, "resident_id", idNumber); err == nil {
			t.Fatal("an agent was added from a form the browser refused")
		}

		chrometest.Eval[bool](c, "clear the ID number", `(document.getElementById("agent-id-number").value = "") === ""`)
		c.Do("correct the ID number and submit",
			chromedp.SendKeys(chromedp.ID("agent-id-number"), idNumber),
			chromedp.SendKeys(chromedp.ID("agent-password"), newAgent.Get("password")),
			chromedp.SendKeys(chromedp.ID("agent-password2"), newAgent.Get("password")),
			chromedp.Click(chromedp.CSS(`form[action="/unit/agents"] button[type=submit]`)),
		)
		c.WaitText("the agent is added", "#notice", "已添加经办人")
		if page := c.Text("ul.agents"); !strings.Contains(page, "王五") || !strings.Contains(page, "137****7000") {
			t.Errorf("agent list after adding: %q", page)
		}
		if unit, err := agentLogin(t, b, idNumber, newAgent.Get("password")); err != nil || unit != bt.UnitID {
			t.Fatalf("the new agent's login: unit %q, %v; want tokens for %s", unit, err, bt.UnitID)
		}
		p, err := b.Accounts.FindByIDNumber(c.Ctx, "resident_id", idNumber)
		if err != nil {
			t.Fatal(err)
		}
		row := fmt.Sprintf(`li.agent[data-person=%q]`, p.ID)
		c.Do("disable the agent",
			chromedp.WaitVisible(chromedp.CSS(row+" summary")),
			chromedp.Click(chromedp.CSS(row+" summary")),
			chromedp.Click(chromedp.CSS(row+` form[action="/unit/agents/status"] button`)),
		)
		c.WaitText("the agent is disabled", "#notice", "已停用")
		if unit, err := agentLogin(t, b, idNumber, newAgent.Get("password")); unit == bt.UnitID {
			t.Errorf("a disabled agent still gets tokens for the unit (%v)", err)
		}
		if errs := c.ConsoleErrors(); len(errs) > 0 {
			t.Errorf("console errors: %q", errs)
		}
	})
}

// TestChromiumStepUpAndAccount: the demo agent's session grows too old for
// adding an agent; the page sends them through a new login and back to the
// form with what they typed except the passwords. Then they change their
// password on 我的账号 and sign in with the new one.
func TestChromiumStepUpAndAccount(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, o bt.Options) {
		o.Edit = func(c *config.Config) {
			c.Pages.StepUp.AddAgent = "gjj:loa:1"
			c.Pages.StepUp.MaxAge = 3 * time.Second
		}
		b := bt.Start(t, o)
		c := startChrome(t)
		c.Do("open the unit page", chromedp.Navigate(b.URL+"/unit"))
		c.Login(bt.AgentIDNumber, bt.AgentPassword)
		c.WaitText("land on the unit's page", "h1", "单位登录权限管理")
		time.Sleep(3500 * time.Millisecond)
		c.Do("fill the form and submit",
			chromedp.WaitVisible(chromedp.ID("agent-name")),
			chromedp.SendKeys(chromedp.ID("agent-name"), "王五"),
			chromedp.SendKeys(chromedp.ID("agent-id-number"), newAgent.Get("id_number")),
			chromedp.SendKeys(chromedp.ID("agent-mobile"), newAgent.Get("mobile")),
			chromedp.SendKeys(chromedp.ID("agent-password"), newAgent.Get("password")),
			chromedp.SendKeys(chromedp.ID("agent-password2"), newAgent.Get("password")),
			chromedp.Click(chromedp.CSS(`form[action="/unit/agents"] button[type=submit]`)),
		)
		c.Login(bt.AgentIDNumber, bt.AgentPassword)
		c.WaitText("back on the unit's page", "h1", "单位登录权限管理")
		kept := chrometest.Eval[string](c, "form values", `["agent-name","agent-id-number","agent-mobile","agent-password"].map(id => document.getElementById(id).value).join("|")`)
		if want := "王五|" + newAgent.Get("id_number") + "|" + newAgent.Get("mobile") + "|"; kept != want {
			t.Errorf("form after the step-up %q, want %q (input kept, password not)", kept, want)
		}
		if _, err := b.Accounts.FindByIDNumber(c.Ctx, "resident_id", newAgent.Get("id_number")); err == nil {
			t.Error("the agent was added before the step-up")
		}

		c.Do("open my account", chromedp.Click(chromedp.CSS(`nav a[href="/account"]`)))
		c.WaitText("the account page", "h1", "我的账号")
		c.Do("change the password",
			chromedp.WaitVisible(chromedp.ID("old-password")),
			chromedp.SendKeys(chromedp.ID("old-password"), bt.AgentPassword),
			chromedp.SendKeys(chromedp.ID("new-password"), "582913"),
			chromedp.SendKeys(chromedp.ID("new-password2"), "582913"),
			chromedp.Click(chromedp.CSS(`form[action="/account/password"] button[type=submit]`)),
		)
		c.WaitText("the password is changed", "#notice", "登录密码已修改")
		if unit, err := agentLogin(t, b, bt.AgentIDNumber, "582913"); err != nil || unit != bt.UnitID {
			t.Errorf("login with the new password: %q %v", unit, err)
		}

		// A WeChat link, unlinked with the keyboard: focus its button, Enter.
		me, err := b.Accounts.FindByIDNumber(c.Ctx, "resident_id", bt.AgentIDNumber)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Accounts.CreateLink(c.Ctx, accounts.NewLink{Connector: "wechat", Subject: "o_chromium", Kind: store.LinkPerson,
			PersonID: me.ID, Label: "微信用户", CreatedBy: "self-bind"}); err != nil {
			t.Fatal(err)
		}
		c.Do("reload my account", chromedp.Navigate(b.URL+"/account"))
		c.WaitText("the WeChat link is listed", "section[aria-labelledby=links-h]", "wechat")
		c.Do("unlink WeChat with the keyboard",
			chromedp.Focus(chromedp.CSS(`form[action="/account/links/remove"] button`)),
			chromedp.KeyEvent(kb.Enter),
		)
		c.WaitText("the link is gone", "#notice", "已解除绑定")
		if _, err := b.Accounts.GetLink(c.Ctx, "wechat", "o_chromium"); err == nil {
			t.Error("the WeChat link is still there")
		}

		if errs := c.ConsoleErrors(); len(errs) > 0 {
			t.Errorf("console errors: %q", errs)
		}

		// A forged CSRF token: the page refuses, says why, changes nothing.
		c.Do("forge the CSRF token and sign out everywhere",
			chromedp.SetValue(chromedp.CSS(`form[action="/account/signout-all"] input[name=csrf]`), "forged"),
			chromedp.Click(chromedp.ID("sign-out-everywhere")),
		)
		c.WaitText("the forged post is refused", "body", "页面已过期")
		// Not signed out: the account page opens without a new sign-in.
		c.Do("reopen my account", chromedp.Navigate(b.URL+"/account"))
		c.WaitText("still signed in", "h1", "我的账号")
		// The one console message now is the refused post's 403.
		if errs := c.ConsoleErrors(); len(errs) != 1 || !strings.Contains(errs[0], "403") {
			t.Errorf("console errors after the forged post: %q", errs)
		}
	})
}

// TestChromiumBindRenewedCertificate: the demo unit, signed in with the
// certificate bound at the counter, binds its renewed certificate on
// 网厅绑定CA证书 with the demo signer (possession of the key, not a pasted
// PEM), sees it listed, and the renewed certificate then signs in under
// the `bound` policy.
func TestChromiumBindRenewedCertificate(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, o bt.Options) {
		ca := withCertificateConnector(t, &o, "bound")
		old := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, bt.UnitName)})
		renewed := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, bt.UnitName)})
		oldCert, oldKey := bt.DemoCertFiles(t, old)
		newCert, newKey := bt.DemoCertFiles(t, renewed)
		b := bt.Start(t, o)
		if _, err := b.Accounts.CreateLink(context.Background(), accounts.NewLink{Connector: "cert", Subject: ids.CertFingerprintOf(old.DER),
			Kind: store.LinkUnit, UnitID: bt.UnitID, Label: "counter", CreatedBy: "client:" + bt.AdminID}); err != nil {
			t.Fatal(err)
		}
		c := startChrome(t)
		certSignIn(c, b.URL+"/unit", oldCert, oldKey)
		c.WaitText("land on the unit's page", "h1", "单位登录权限管理")
		c.Do("open the binding page", chromedp.WaitVisible(chromedp.ID("bind-certificate")), chromedp.Click(chromedp.ID("bind-certificate")))
		c.WaitText("the binding page", "h1", "网厅绑定CA证书")
		signWithDemo(c, "sign with the renewed certificate", newCert, newKey)
		c.WaitText("the renewed certificate is bound", "#notice", "证书已绑定")
		// The notice can show before the page with the list has settled
		// (a slow run reads it mid-navigation): wait for the list itself.
		c.WaitText("the renewed certificate is listed", "#certificates", "Unit CA pages")
		if list := c.Text("#certificates"); !strings.Contains(list, "Unit CA pages") || strings.Count(list, "解除绑定") != 2 {
			t.Errorf("certificate list after binding: %q", list)
		}
		if _, err := b.Accounts.GetLink(context.Background(), "cert", ids.CertFingerprintOf(renewed.DER)); err != nil {
			t.Fatalf("the renewed certificate is not bound: %v", err)
		}
		// The renewed certificate signs in at a fresh browser under `bound`.
		c2 := startChrome(t)
		certSignIn(c2, b.URL+"/unit", newCert, newKey)
		c2.WaitText("the renewed certificate signs in", "#unit-name", bt.UnitName)
		for _, ch := range []*chrometest.Chrome{c, c2} {
			if errs := ch.ConsoleErrors(); len(errs) > 0 {
				t.Errorf("console errors: %q", errs)
			}
		}
	})
}
