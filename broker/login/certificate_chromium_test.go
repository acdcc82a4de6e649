package login_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// TestChromiumCertificateDemoSigner signs in with a unit certificate on the
// challenge-signature page, the way `gjjid dev` offers it: the demo client
// allows only the certificate connector, login.demo_signer is on, and the
// user picks the unit's certificate and PKCS#8 key in the demo signer's
// file input. cert-login.js and cert-demo-signer.js sign the challenge
// with WebCrypto under the broker's Content Security Policy and post it;
// the relying party redeems the code through the real RP libraries.
func TestChromiumCertificateDemoSigner(t *testing.T) {
	t.Parallel()
	const connectorID, connectorName = "cert", "单位数字证书"
	ca := x509test.NewCA(t, x509test.ECDSA, "Unit CA chromium", nil)
	cert := bt.CertConnector(t, ca, "link_policy: auto\n", "")
	b := bt.Start(t, bt.Options{
		Connectors: connectors.Registry{cx.Type: cx.Factory},
		Edit: func(c *config.Config) {
			c.Connectors = append(c.Connectors, cert)
			c.Clients[0].Connectors = []string{connectorID}
			c.Login.DemoSigner = true
		},
	})

	// The demo unit's certificate and key, as `gjjid dev` writes them.
	certFile, keyFile := bt.DemoCertFiles(t, ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, bt.UnitName)}))

	rp := bt.NewRP(t, b.URL)
	f := rp.NewFlow()
	c := startChrome(t, "zh-CN,zh;q=0.9")
	c.Do("open the authorization URL", chromedp.Navigate(f.URL))
	c.Do("wait for the demo signer", chromedp.WaitReady(chromedp.ID("cert-demo-files")))
	heading, err := chromedp.Run(c.Ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if heading != connectorName {
		t.Fatalf("heading %q, want the certificate page %q", heading, connectorName)
	}
	// Both scripts ran: cert-login.js exposes the challenge to signers.
	challenge, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`window.gjjidCertChallenge || ""`))
	if err != nil {
		t.Fatal(err)
	}
	if len(challenge) < 22 {
		t.Fatalf("page script challenge %q", challenge)
	}
	for _, s := range []string{"/static/cert-login.js", "/static/cert-demo-signer.js"} {
		if r := c.Response(network.ResourceTypeScript, s); r == nil || r.Status != 200 {
			t.Fatalf("Chromium did not load %s: %+v", s, r)
		}
	}

	// The page came under the broker's CSP: scripts only from 'self'.
	doc := c.LastDocument(b.URL)
	if doc == nil {
		t.Fatalf("no document from the broker; requests %q", c.AllRequests())
	}
	if u, _ := url.Parse(doc.URL); u == nil || u.Path != "/login/"+connectorID || doc.Status != 200 {
		t.Errorf("certificate page at %s (status %d), want /login/%s", doc.URL, doc.Status, connectorID)
	}
	csp := chrometest.Header(doc.Headers, "Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("certificate page Content-Security-Policy %q lacks %q", csp, want)
		}
	}

	// The user picks both files; the demo signer signs and submits.
	c.Do("choose the unit certificate and key", chromedp.SetUploadFiles(chromedp.ID("cert-demo-files"), []string{certFile, keyFile}))
	loc := c.WaitRP("sign the challenge with the demo signer")
	var claims struct {
		Sub    string   `json:"sub"`
		UnitID string   `json:"unit_id"`
		IdP    string   `json:"idp"`
		AMR    []string `json:"amr"`
	}
	rp.Redeem(t, f, loc, nil, &claims)
	if claims.Sub != "u_"+bt.UnitID || claims.UnitID != bt.UnitID || claims.IdP != connectorID || !slices.Contains(claims.AMR, cx.AMRHardware) {
		t.Errorf("ID token %+v, want the demo unit %s by certificate", claims, bt.UnitID)
	}

	// Nothing went wrong on the way: no exception, no CSP violation, no
	// console error (the favicon's 404 aside).
	c.Do("settle", chromedp.Sleep(300*time.Millisecond))
	if errs := c.ConsoleErrors(); !chrometest.OnlyFavicon(errs) {
		t.Errorf("console errors on the certificate page: %q", errs)
	}
}
