package pages_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// TestChromiumCounterBindsCertificate: with link_policy bound, a unit
// certificate logs in only once bound. Counter staff upload it, see what
// it says, bind it to the unit it names; it then logs in under bound; a
// second binding is refused naming the first.
func TestChromiumCounterBindsCertificate(t *testing.T) {
	stores(t, func(t *testing.T, o bt.Options) {
		o = staffOptions(o)
		ca := withCertificateConnector(t, &o, "bound")
		leaf := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, bt.UnitName)})
		certFile, keyFile := bt.DemoCertFiles(t, leaf)
		b := bt.Start(t, o)
		grant(t, b, bt.AgentIDNumber, "gjjid:counter")

		login := func(c *chrometest.Chrome) {
			certSignIn(c, b.URL+"/", certFile, keyFile)
		}
		before := startChrome(t)
		login(before)
		before.WaitText("not bound yet", "body", "尚未在公积金中心柜台绑定")

		staffTab := startChrome(t)
		staffTab.Do("open the console", chromedp.Navigate(b.URL+"/admin/certs"))
		staffTab.Do("choose the password", chromedp.WaitVisible(chromedp.ID("connector-password")), chromedp.Click(chromedp.ID("connector-password")))
		staffTab.Login(bt.AgentIDNumber, bt.AgentPassword)
		staffTab.WaitText("the binding page", "h1", "证书绑定")
		bind := func() {
			staffTab.Do("upload the certificate", chromedp.Navigate(b.URL+"/admin/certs"), chromedp.WaitReady(chromedp.ID("cert-file")),
				chromedp.SetUploadFiles(chromedp.ID("cert-file"), []string{certFile}), chromedp.Click(chromedp.ID("cert-inspect")))
			staffTab.WaitText("the certificate is shown", "#cert-unit", bt.UnitID)
			if fp := staffTab.Text("#cert-fingerprint"); !strings.HasPrefix(fp, "sha256:") {
				t.Errorf("fingerprint shown as %q", fp)
			}
			staffTab.Do("confirm", chromedp.Click(chromedp.ID("cert-bind")))
		}
		bind()
		staffTab.WaitText("bound", "#notice", "已绑定证书")

		after := startChrome(t)
		login(after)
		after.WaitText("the bound certificate logs in", "h1", "单位登录权限管理")
		// The unit's list names the certificate as the counter saw it:
		// issuer, serial and validity beside the subject. Wait for the
		// list itself: on a loaded machine the heading can be read before
		// the rest of the page is.
		after.WaitText("the unit's certificates", "#certificates", leaf.Cert.Issuer.CommonName)
		listed := after.Text("#certificates")
		for _, want := range []string{leaf.Cert.Issuer.CommonName, fmt.Sprintf("%X", leaf.Cert.SerialNumber), leaf.Cert.NotAfter.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")} {
			if !strings.Contains(strings.ToUpper(listed), strings.ToUpper(want)) {
				t.Errorf("the unit's certificate list %q lacks %q", listed, want)
			}
		}

		bind()
		staffTab.WaitText("a second binding is refused naming the first", "#page-error", "该证书已绑定")
		if msg := staffTab.Text("#page-error"); !strings.Contains(msg, bt.UnitID) {
			t.Errorf("the refusal does not name the existing binding: %q", msg)
		}
	})
}
