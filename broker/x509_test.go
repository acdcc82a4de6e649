package broker_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gjjid/gjjid/broker"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	brokerlogin "github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/ids"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

const certConnector = "cert"

// certEnv is a broker with one certificate connector (the only one the
// demo client sees) trusting ca, and optionally an mTLS listener.
type certEnv struct {
	b       *bt.Broker
	ca      *x509test.CA
	mtlsURL string
	server  *x509test.CA // issued the mTLS listener's certificate
}

type certOpts struct {
	policy     string
	revocation string // YAML flow mapping
	proxies    []string
	mtls       bool
	now        func() time.Time
	alg        x509test.Alg
	top        string // more top-level config keys (YAML lines)
	// start starts the broker (backendsWith's memory or Redis starter);
	// bt.Start when nil.
	start func(*testing.T, bt.Options) *bt.Broker
}

func startCert(t *testing.T, o certOpts) *certEnv {
	t.Helper()
	if o.alg == "" {
		o.alg = x509test.ECDSA
	}
	env := &certEnv{ca: x509test.NewCA(t, o.alg, "Unit CA "+string(o.alg), o.now)}
	cert := bt.CertConnector(t, env.ca, o.top+"link_policy: "+o.policy+"\n", o.revocation)
	var ln net.Listener
	if o.mtls {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		env.mtlsURL = "https://" + ln.Addr().String()
	}
	if o.start == nil {
		o.start = func(t *testing.T, o bt.Options) *bt.Broker { return bt.Start(t, o) }
	}
	env.b = o.start(t, bt.Options{
		// The certificate connector on the test's clock.
		Connectors: connectors.Registry{cx.Type: func(spec connectors.Spec, deps connectors.Deps) (connectors.Connector, error) {
			deps.Now = o.now
			return cx.Factory(spec, deps)
		}},
		Edit: func(c *config.Config) {
			c.Connectors = append(c.Connectors, cert)
			c.Clients[0].Connectors = []string{certConnector}
			c.Listen.MTLS.URL = env.mtlsURL
			c.Listen.ClientCert.TrustedProxies = o.proxies
			c.Listen.ClientCert.Header = "X-SSL-Client-Cert"
		},
	})
	if o.mtls {
		env.server = x509test.NewCA(t, x509test.ECDSA, "Server CA", nil)
		srv := env.server.Issue(t, x509test.LeafOptions{CommonName: "127.0.0.1", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPs: []net.IP{net.ParseIP("127.0.0.1")}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = env.b.ServeMTLS(ctx, tls.NewListener(ln, broker.MTLSConfig(tls.Certificate{Certificate: [][]byte{srv.DER}, PrivateKey: srv.Key})))
		}()
		t.Cleanup(func() { cancel(); <-done })
	}
	return env
}

// unitCert issues a CFCA-style certificate of the demo unit.
func (e *certEnv) unitCert(t *testing.T, o x509test.LeafOptions) *x509test.Leaf {
	t.Helper()
	if o.CommonName == "" {
		o.CommonName = x509test.CFCAName(bt.UnitID, bt.UnitName)
	}
	return e.ca.Issue(t, o)
}

// browser is a form-posting browser that presents leaf (if any) to the
// mTLS listener.
func (e *certEnv) browser(t *testing.T, leaf *x509test.Leaf) *bt.Browser {
	br := bt.NewBrowser(t)
	if e.server != nil {
		roots := x509.NewCertPool()
		roots.AddCert(e.server.Cert)
		cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		if leaf != nil {
			cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key}}
		}
		br.Client.Transport = &http.Transport{TLSClientConfig: cfg}
	}
	return br
}

// open starts a flow and returns the certificate page's form.
func (e *certEnv) open(t *testing.T, rp *bt.RP, br *bt.Browser) (bt.Flow, string, url.Values) {
	t.Helper()
	f := rp.NewFlow()
	if loc, err := br.Get(f.URL); err != nil || loc != nil {
		t.Fatalf("authorize: %v %v", loc, err)
	}
	action, form, err := br.Form(e.b.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(form.Get("challenge")) < 22 { // ≥128 bits, base64url
		t.Fatalf("challenge %q", form.Get("challenge"))
	}
	return f, action, form
}

// finish exchanges the code the redirect carries.
func finish(t *testing.T, rp *bt.RP, f bt.Flow, loc *url.URL, br *bt.Browser) (string, map[string]any, map[string]any) {
	t.Helper()
	var claims map[string]any
	tok := rp.Redeem(t, f, loc, br, &claims)
	return tok.AccessToken, claims, jwtClaims(t, tok.AccessToken)
}

func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func wantUnitLogin(t *testing.T, id map[string]any) {
	t.Helper()
	if id["sub"] != "u_"+bt.UnitID || id["unit_id"] != bt.UnitID || id["acr"] != cx.DefaultACR || id["idp"] != certConnector {
		t.Errorf("ID token %v", id)
	}
	if amr, _ := id["amr"].([]any); !slices.Contains(amr, any(cx.AMRHardware)) {
		t.Errorf("amr %v", id["amr"])
	}
}

func TestCertificateChallengeLogin(t *testing.T) {
	t.Parallel()
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		for _, alg := range []x509test.Alg{x509test.RSA, x509test.ECDSA, x509test.SM2} {
			t.Run(string(alg), func(t *testing.T) {
				t.Parallel()
				e := startCert(t, certOpts{policy: "auto", alg: alg, start: start})
				rp := bt.NewRP(t, e.b.URL)
				leaf := e.unitCert(t, x509test.LeafOptions{})
				for _, format := range []string{cx.FormatRaw, cx.FormatPKCS7} {
					br := e.browser(t, nil)
					f, action, form := e.open(t, rp, br)
					form.Set("certificate", leaf.PEM())
					if format == cx.FormatRaw {
						form.Set("signature", leaf.SignRaw(t, []byte(form.Get("challenge"))))
					} else {
						form.Set("signature", leaf.SignPKCS7(t, []byte(form.Get("challenge")), x509test.PKCS7Options{Attributes: true}))
					}
					form.Set("format", format)
					loc, err := br.Post(action, form)
					if err != nil {
						t.Fatal(err)
					}
					// Replayed: the same challenge again is refused.
					if loc, _ := br.Post(action, form); loc != nil || br.Last != http.StatusBadRequest || !strings.Contains(br.Page, web.Text("zh-CN", "err_cert_challenge")) {
						t.Errorf("%s: replayed challenge: %v %d", format, loc, br.Last)
					}
					_, id, at := finish(t, rp, f, loc, br)
					wantUnitLogin(t, id)
					if at["cnf"] != nil {
						t.Errorf("%s: challenge login bound the token: %v", format, at["cnf"])
					}
				}
			})
		}
	})
}

func TestCertificateChallengeRefusals(t *testing.T) {
	t.Parallel()
	e := startCert(t, certOpts{policy: "auto"})
	rp := bt.NewRP(t, e.b.URL)
	leaf := e.unitCert(t, x509test.LeafOptions{})

	// A challenge from another browser.
	a, b := e.browser(t, nil), e.browser(t, nil)
	_, _, formA := e.open(t, rp, a)
	_, actionB, formB := e.open(t, rp, b)
	formB.Set("challenge", formA.Get("challenge"))
	formB.Set("certificate", leaf.PEM())
	formB.Set("signature", leaf.SignRaw(t, []byte(formA.Get("challenge"))))
	if loc, _ := b.Post(actionB, formB); loc != nil || b.Last != http.StatusBadRequest {
		t.Errorf("challenge of another browser: %v %d", loc, b.Last)
	}

	// A signature over anything else.
	br := e.browser(t, nil)
	_, action, form := e.open(t, rp, br)
	form.Set("certificate", leaf.PEM())
	form.Set("signature", leaf.SignRaw(t, []byte("not the challenge")))
	if loc, _ := br.Post(action, form); loc != nil || !strings.Contains(br.Page, `id="error"`) {
		t.Errorf("signature over other content: %v %d", loc, br.Last)
	}

	// Garbage: a clear error, no panic.
	_, action, form = e.open(t, rp, br)
	form.Set("certificate", "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----")
	form.Set("signature", "!!")
	if loc, _ := br.Post(action, form); loc != nil || !strings.Contains(br.Page, `id="error"`) {
		t.Errorf("garbage: %v %d", loc, br.Last)
	}
}

// mtlsLogin follows the page's mTLS link with the browser's certificate.
func (e *certEnv) mtlsLogin(t *testing.T, rp *bt.RP, br *bt.Browser) (bt.Flow, *url.URL) {
	t.Helper()
	f := rp.NewFlow()
	if _, err := br.Get(f.URL); err != nil {
		t.Fatal(err)
	}
	m := strings.Index(br.Page, `id="cert-mtls" href="`)
	if m < 0 {
		t.Fatalf("no mTLS link: %.300s", br.Page)
	}
	href := br.Page[m+len(`id="cert-mtls" href="`):]
	href = strings.ReplaceAll(href[:strings.Index(href, `"`)], "&amp;", "&")
	if !strings.HasPrefix(href, e.mtlsURL) {
		t.Fatalf("mTLS link %q", href)
	}
	loc, err := br.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	return f, loc
}

func TestCertificateMTLSLoginBindsTokens(t *testing.T) {
	t.Parallel()
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		e := startCert(t, certOpts{policy: "auto", mtls: true, start: start})
		rp := bt.NewRP(t, e.b.URL)
		leaf := e.unitCert(t, x509test.LeafOptions{})
		br := e.browser(t, leaf)
		f, loc := e.mtlsLogin(t, rp, br)
		var id map[string]any
		tok := rp.Redeem(t, f, loc, br, &id)
		wantUnitLogin(t, id)
		want := brokerlogin.CertThumbprint(leaf.DER)
		x5t := func(m map[string]any) any {
			cnf, _ := m["cnf"].(map[string]any)
			return cnf["x5t#S256"]
		}
		if got := x5t(jwtClaims(t, tok.AccessToken)); got != want {
			t.Errorf("access token cnf.x5t#S256 %v, want %s", got, want)
		}
		in, err := bt.Introspect(e.b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken)
		if err != nil || in["active"] != true || x5t(in) != want {
			t.Errorf("introspection %v %v", in, err)
		}
		refreshed, err := rp.OAuth2.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err == nil {
			if got := x5t(jwtClaims(t, refreshed.AccessToken)); got != want {
				t.Errorf("refreshed access token cnf %v", got)
			}
		} else {
			t.Errorf("refresh: %v", err)
		}

		// Without a certificate the listener says so.
		bare := e.browser(t, nil)
		if _, loc := e.mtlsLogin(t, rp, bare); loc != nil || bare.Last != http.StatusBadRequest {
			t.Errorf("no certificate: %v %d", loc, bare.Last)
		}
	})
}

func TestCertificateMTLSRefusals(t *testing.T) {
	t.Parallel()
	clk := connectorstest.NewClock(time.Now())
	e := startCert(t, certOpts{policy: "auto", mtls: true, now: clk.Now})
	other := x509test.NewCA(t, x509test.ECDSA, "Unit CA ecdsa", clk.Now) // not trusted: same name, other key
	rp := bt.NewRP(t, e.b.URL)
	now := clk.Now()
	revoked := e.unitCert(t, x509test.LeafOptions{})
	e.ca.Revoke(revoked.Cert.SerialNumber)
	cases := []struct {
		name string
		leaf *x509test.Leaf
		text string
	}{
		{"expired", e.unitCert(t, x509test.LeafOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}), "证书已过期"},
		{"not yet valid", e.unitCert(t, x509test.LeafOptions{NotBefore: now.Add(time.Hour)}), "证书尚未生效"},
		{"wrong CA", other.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, "x")}), "不是由本中心认可"},
		{"wrong key usage", e.unitCert(t, x509test.LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment}), "密钥用途不符"},
		{"revoked by CRL", revoked, "已被吊销"},
		{"bad check digit", e.unitCert(t, x509test.LeafOptions{CommonName: x509test.CFCAName("91510100MA61ABCD1U", "x")}), "校验位不正确"},
	}
	for _, tc := range cases {
		br := e.browser(t, tc.leaf)
		_, loc := e.mtlsLogin(t, rp, br)
		if loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, tc.text) {
			t.Errorf("%s: %v %d %.200s", tc.name, loc, br.Last, br.Page)
		}
	}
}

func TestCertificateRevokedByOCSP(t *testing.T) {
	t.Parallel()
	e := startCert(t, certOpts{policy: "auto", mtls: true, revocation: "{ocsp: true, distribution_points: false}"})
	rp := bt.NewRP(t, e.b.URL)
	leaf := e.unitCert(t, x509test.LeafOptions{OCSP: true})
	e.ca.Revoke(leaf.Cert.SerialNumber)
	br := e.browser(t, leaf)
	if _, loc := e.mtlsLogin(t, rp, br); loc != nil || !strings.Contains(br.Page, "已被吊销") {
		t.Errorf("revoked by OCSP: %v %d %.200s", loc, br.Last, br.Page)
	}
}

// TestCertificateRevokedByOCSPSM2: an SM2 CA's OCSP answer (SM2-with-SM3)
// refuses a revoked certificate end to end (by challenge-signature: SM2
// cannot do TLS in crypto/tls) and lets a good one in.
func TestCertificateRevokedByOCSPSM2(t *testing.T) {
	t.Parallel()
	e := startCert(t, certOpts{alg: x509test.SM2, policy: "auto", revocation: "{ocsp: true, distribution_points: false}"})
	rp := bt.NewRP(t, e.b.URL)
	leaf := e.unitCert(t, x509test.LeafOptions{OCSP: true})
	post := func() (*bt.Browser, bt.Flow, *url.URL) {
		br := e.browser(t, nil)
		f, action, form := e.open(t, rp, br)
		form.Set("certificate", leaf.PEM())
		form.Set("signature", leaf.SignRaw(t, []byte(form.Get("challenge"))))
		form.Set("format", cx.FormatRaw)
		loc, _ := br.Post(action, form)
		return br, f, loc
	}
	br, f, loc := post()
	if loc == nil {
		t.Fatalf("good by OCSP: %d %.200s", br.Last, br.Page)
	}
	_, id, _ := finish(t, rp, f, loc, br)
	wantUnitLogin(t, id)
	e.ca.Revoke(leaf.Cert.SerialNumber)
	if br, _, loc := post(); loc != nil || !strings.Contains(br.Page, "已被吊销") {
		t.Errorf("revoked by OCSP: %v %d %.200s", loc, br.Last, br.Page)
	}
}

// TestCertificateComponentOrigins: the certificate page, and only it, may
// connect to the CA component's configured loopback origins.
func TestCertificateComponentOrigins(t *testing.T) {
	t.Parallel()
	e := startCert(t, certOpts{policy: "auto", top: "component_origins: [http://127.0.0.1:5052, wss://127.0.0.1:5053]\n"})
	rp := bt.NewRP(t, e.b.URL)
	br := e.browser(t, nil)
	resp, err := br.Client.Get(rp.NewFlow().URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `name="challenge"`) {
		t.Fatalf("certificate page: %d %s %.200s", resp.StatusCode, resp.Request.URL, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "; connect-src 'self' http://127.0.0.1:5052 wss://127.0.0.1:5053; ") ||
		!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("certificate page CSP %q", csp)
	}
	other, err := br.Client.Get(e.b.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	other.Body.Close()
	if csp := other.Header.Get("Content-Security-Policy"); strings.Contains(csp, "127.0.0.1") || !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("other page CSP %q", csp)
	}
}

func TestCertificateCRLGrace(t *testing.T) {
	t.Parallel()
	clk := connectorstest.NewClock(time.Now())
	e := startCert(t, certOpts{policy: "auto", mtls: true, now: clk.Now})
	e.ca.SetCRLNextUpdate(time.Hour)
	rp := bt.NewRP(t, e.b.URL)
	leaf := e.unitCert(t, x509test.LeafOptions{})
	try := func() (*bt.Browser, *url.URL) {
		br := e.browser(t, leaf)
		_, loc := e.mtlsLogin(t, rp, br)
		return br, loc
	}
	if _, loc := try(); loc == nil {
		t.Fatal("first login failed")
	}
	e.ca.SetCRLDown(true)
	clk.Advance(2 * time.Hour) // past nextUpdate, inside the 24h default grace
	if _, loc := try(); loc == nil {
		t.Error("CRL unreachable inside the grace: refused")
	}
	clk.Advance(24 * time.Hour) // after the grace
	if br, loc := try(); loc != nil || !strings.Contains(br.Page, "暂时无法确认证书状态") {
		t.Errorf("CRL unreachable after the grace: %v %.200s", loc, br.Page)
	}
}

func TestCertificateForwardedByProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		proxies []string
		header  func(l *x509test.Leaf) (string, string)
		ok      bool
	}{
		{"RFC 9440 from a trusted proxy", []string{"127.0.0.1/32"}, func(l *x509test.Leaf) (string, string) {
			return "Client-Cert", ":" + base64.StdEncoding.EncodeToString(l.DER) + ":"
		}, true},
		{"PEM header from a trusted proxy", []string{"127.0.0.0/8"}, func(l *x509test.Leaf) (string, string) {
			return "X-SSL-Client-Cert", url.QueryEscape(l.PEM())
		}, true},
		{"untrusted address", []string{"192.0.2.1/32"}, func(l *x509test.Leaf) (string, string) {
			return "Client-Cert", ":" + base64.StdEncoding.EncodeToString(l.DER) + ":"
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// SM2 cannot do TLS in crypto/tls: a TLCP gateway forwards it.
			e := startCert(t, certOpts{policy: "auto", proxies: tc.proxies, alg: x509test.SM2})
			rp := bt.NewRP(t, e.b.URL)
			leaf := e.unitCert(t, x509test.LeafOptions{})
			br := e.browser(t, nil)
			f, _, form := e.open(t, rp, br)
			name, value := tc.header(leaf)
			req, _ := http.NewRequest(http.MethodGet, e.b.URL+"/login/"+certConnector+"/mtls?id="+url.QueryEscape(form.Get("id")), nil)
			req.Header.Set(name, value)
			loc, err := do(br, req)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				if loc != nil || br.Last != http.StatusBadRequest {
					t.Errorf("forwarded header from an untrusted address honoured: %v %d", loc, br.Last)
				}
				return
			}
			_, id, _ := finish(t, rp, f, loc, br)
			wantUnitLogin(t, id)
		})
	}
}

func TestCertificateBoundPolicy(t *testing.T) {
	t.Parallel()
	e := startCert(t, certOpts{policy: "bound", mtls: true})
	rp := bt.NewRP(t, e.b.URL)
	admin := bt.NewAdminAPI(t, e.b.URL)
	leaf := e.unitCert(t, x509test.LeafOptions{CommonName: "CA certificate bound at the counter"})
	br := e.browser(t, leaf)
	if _, loc := e.mtlsLogin(t, rp, br); loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, "重新办理绑定") {
		t.Fatalf("unbound certificate: %v %d %.300s", loc, br.Last, br.Page)
	}
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(leaf.Cert.RawIssuer, &rdns); err != nil {
		t.Fatal(err)
	}
	admin.Want(http.StatusCreated, http.MethodPost, "/admin/v1/links", map[string]any{"connector": certConnector,
		"certificate": map[string]string{"issuer": rdns.String(), "serial": leaf.Cert.SerialNumber.String()},
		"kind":        "unit", "unit_id": bt.UnitID}, nil)
	br = e.browser(t, leaf)
	f, loc := e.mtlsLogin(t, rp, br)
	_, id, _ := finish(t, rp, f, loc, br)
	wantUnitLogin(t, id)

	// A renewed certificate (new serial, new key) needs its own binding;
	// bound by fingerprint it logs in.
	renewed := e.unitCert(t, x509test.LeafOptions{CommonName: "CA certificate bound at the counter"})
	br = e.browser(t, renewed)
	if _, loc := e.mtlsLogin(t, rp, br); loc != nil || br.Last != http.StatusForbidden {
		t.Fatalf("renewed certificate without a binding: %v %d", loc, br.Last)
	}
	admin.Want(http.StatusCreated, http.MethodPost, "/admin/v1/links", map[string]any{"connector": certConnector,
		"certificate": map[string]string{"fingerprint_sha256": strings.TrimPrefix(ids.CertFingerprintOf(renewed.DER), "sha256:")},
		"kind":        "unit", "unit_id": bt.UnitID}, nil)
	br = e.browser(t, renewed)
	f, loc = e.mtlsLogin(t, rp, br)
	_, id, _ = finish(t, rp, f, loc, br)
	wantUnitLogin(t, id)
}

func TestUnitCertificateSelfService(t *testing.T) {
	t.Parallel()
	e := startCert(t, certOpts{policy: "auto", mtls: true})
	rp := bt.NewRP(t, e.b.URL)
	leaf := e.unitCert(t, x509test.LeafOptions{})
	br := e.browser(t, leaf)
	f, loc := e.mtlsLogin(t, rp, br)
	at, _, _ := finish(t, rp, f, loc, br)
	unit := bt.NewTokenAPI(t, e.b.URL, at)
	var agents listPage[map[string]any]
	unit.Want(http.StatusOK, http.MethodGet, "/api/v1/unit/agents", nil, &agents)
	if len(agents.Items) == 0 {
		t.Errorf("the unit's own agents: %+v", agents)
	}
}

// do sends req from the browser (with its cookies), following the
// broker's redirects as Browser.Get does.
func do(br *bt.Browser, req *http.Request) (*url.URL, error) {
	resp, err := br.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	br.Page, br.Last = string(body), resp.StatusCode
	if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		return resp.Location()
	}
	return nil, nil
}
