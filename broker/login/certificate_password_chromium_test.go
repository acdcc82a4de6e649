package login_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"go.yaml.in/yaml/v3"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// TestChromiumCertificatePlusPassword: with second_factor: password the
// unit certificate proves the unit, then an agent of that unit confirms
// with their password. The login is that agent acting for the unit, amr
// [hwk pwd]; a person of another unit is refused with the generic message;
// the password connector's lockout applies. On both stores.
func TestChromiumCertificatePlusPassword(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "redis"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			o := certPlusPasswordBroker(t)
			if backend == "redis" {
				o.RedisURL, o.KeyPrefix = redistest.URL(t), redistest.Prefix(t)
			}
			b := bt.Start(t, o.Options)
			rp := bt.NewRP(t, b.URL)

			// The agent of the certificate's unit signs in.
			f := rp.NewFlow()
			c := startChrome(t, "zh-CN,zh;q=0.9")
			o.certificate(c, f.URL)
			if st := c.state(); st.Heading != "证书已验证：请经办人确认密码" {
				t.Fatalf("after the certificate: heading %q, want the agent's password page", st.Heading)
			}
			c.Do("the agent's password",
				chromedp.SetValue(chromedp.ID("user"), bt.AgentIDNumber),
				chromedp.SetValue(chromedp.ID("secret"), bt.AgentPassword),
				chromedp.Click(chromedp.ID("submit")))
			loc := c.WaitRP("sign in as the agent")
			var claims struct {
				Sub    string   `json:"sub"`
				UnitID string   `json:"unit_id"`
				IdP    string   `json:"idp"`
				AMR    []string `json:"amr"`
				ACR    string   `json:"acr"`
			}
			rp.Redeem(t, f, loc, nil, &claims)
			if strings.HasPrefix(claims.Sub, "u_") || claims.UnitID != bt.UnitID || claims.IdP != "cert" ||
				!slices.Equal(claims.AMR, []string{cx.AMRHardware, "pwd"}) || claims.ACR != cx.DefaultACR {
				t.Fatalf("ID token %+v, want the agent acting for %s with amr [hwk pwd]", claims, bt.UnitID)
			}

			// Another browser: a person of another unit is refused, with
			// the generic message; then three wrong passwords lock the
			// agent's login, and even the right one is refused.
			f = rp.NewFlow()
			c = startChrome(t, "zh-CN,zh;q=0.9")
			o.certificate(c, f.URL)
			submit := func(user, pw string) (int, pageState) {
				t.Helper()
				resp, err := chromedp.RunResponse(c.Ctx,
					chromedp.SetValue(chromedp.ID("user"), user),
					chromedp.SetValue(chromedp.ID("secret"), pw),
					chromedp.Click(chromedp.ID("submit")))
				if err != nil {
					t.Fatalf("submit: %v", err)
				}
				return int(resp.Status), c.state()
			}
			if status, st := submit(bt.Agent2IDNumber, bt.Agent2Password); status != http.StatusForbidden || st.Error != "证件号码/手机号或密码错误" {
				t.Fatalf("agent of another unit: status %d, error %q", status, st.Error)
			}
			for i := range 3 {
				if status, st := submit(bt.AgentIDNumber, "135791"); status != http.StatusForbidden || st.Error == "" {
					t.Fatalf("wrong password %d: status %d, error %q", i+1, status, st.Error)
				}
			}
			if status, st := submit(bt.AgentIDNumber, bt.AgentPassword); status != http.StatusForbidden || !strings.Contains(st.Error, "锁定") {
				t.Fatalf("locked agent with the right password: status %d, error %q", status, st.Error)
			}
			if got := c.SentToRP(); len(got) != 0 {
				t.Fatalf("a refused second step reached the relying party: %q", got)
			}
		})
	}
}

// certPlusPassword is a broker with connector "cert" (second_factor:
// password) as the demo client's only method, a password connector that
// locks after 3 failures, and the demo unit's certificate files.
type certPlusPassword struct {
	bt.Options
	certFile, keyFile string
}

func certPlusPasswordBroker(t *testing.T) *certPlusPassword {
	t.Helper()
	ca := x509test.NewCA(t, x509test.ECDSA, "Unit CA second factor", nil)
	cert := bt.CertConnector(t, ca, "link_policy: auto\nsecond_factor: password\n", "")
	var pw yaml.Node
	if err := yaml.Unmarshal([]byte("max_failures: 3"), &pw); err != nil {
		t.Fatal(err)
	}
	o := &certPlusPassword{Options: bt.Options{
		Connectors: connectors.Registry{cx.Type: cx.Factory},
		Edit: func(c *config.Config) {
			c.Connectors[0].Config = *pw.Content[0]
			c.Connectors = append(c.Connectors, cert)
			c.Clients[0].Connectors = []string{"cert"}
			c.Login.DemoSigner = true
		},
	}}
	o.certFile, o.keyFile = bt.DemoCertFiles(t, ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, bt.UnitName)}))
	return o
}

// certificate opens the authorization URL and signs in with the demo
// unit's certificate through the demo signer, up to the agent's page.
func (o *certPlusPassword) certificate(c *chrome, authURL string) {
	c.Do("open the authorization URL", chromedp.Navigate(authURL))
	c.Do("wait for the demo signer", chromedp.WaitReady(chromedp.ID("cert-demo-files")))
	c.Do("choose the unit certificate and key", chromedp.SetUploadFiles(chromedp.ID("cert-demo-files"), []string{o.certFile, o.keyFile}))
	c.Do("wait for the agent's page", chromedp.WaitVisible(chromedp.ID("secret")))
}
