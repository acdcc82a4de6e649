package x509_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/ids"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

const (
	unitCredit = "91510100MA61ABCD1T"
	badCredit  = "91510100MA61ABCD1U" // last character off
	personID   = "510107199003071236"
	orgCredit  = "91510100MA6CHX0A3E" // its positions 9–17 are a valid organisation code
)

// open opens a connector over cas with the config extra (YAML lines at
// the CA level, indented by six spaces) and the top-level lines top.
func open(t testing.TB, now func() time.Time, top string, cas ...string) *cx.Connector {
	t.Helper()
	src := top + "cas:\n" + strings.Join(cas, "")
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatalf("yaml: %v\n%s", err, src)
	}
	c, err := cx.Open(connectors.Spec{ID: "cert", Type: cx.Type, Config: *n.Content[0], Path: "connectors[0].config"},
		connectors.Deps{Now: now})
	if err != nil {
		t.Fatalf("open: %v\n%s", err, src)
	}
	return c
}

// caBlock is one CA entry with CFCA-CN, OID and serialNumber rules.
func caBlock(ca *x509test.CA, name, revocation string) string {
	return fmt.Sprintf(`  - name: %s
    roots: |
%s
    revocation:
%s
    extract:
      - cn_regex: '^041@N([0-9A-Z]{18})@'
        type: credit_code
      - oid: 1.2.156.10260.4.1.3
        type: credit_code
      - subject: serialNumber
        type: credit_code
`, name, indent(ca.PEM(), 6), indent(revocation, 6))
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}

func crlRevocation(ca *x509test.CA) string {
	return "crl_urls: [" + ca.CRLURL + "]\nocsp: false\ngrace: 1h"
}

const challenge = "q3Jd8Hk2TZp0vX1aL9sWmB4cE7yF6gN5rU0iO2tQhA"

var algs = []x509test.Alg{x509test.RSA, x509test.ECDSA, x509test.SM2}

func TestCertificateLoginPerAlgorithm(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			ca := x509test.NewCA(t, alg, "Test CA "+string(alg), nil)
			c := open(t, nil, "link_policy: auto\n", caBlock(ca, "test", crlRevocation(ca)))
			cfca := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "成都示例科技有限公司")})
			oid := ca.Issue(t, x509test.LeafOptions{CommonName: "unit", Organization: "成都示例科技有限公司",
				Extensions: []pkix.Extension{x509test.StringExtension(x509test.OIDCreditCode, "N"+unitCredit)}})
			serial := ca.Issue(t, x509test.LeafOptions{CommonName: "unit", SerialNumber: unitCredit})
			cases := []struct {
				name string
				ev   connectors.Evidence
			}{
				{"raw CFCA", connectors.Evidence{Certificate: cfca.PEM(), Signature: cfca.SignRaw(t, []byte(challenge)), Challenge: challenge}},
				{"raw base64 certificate", connectors.Evidence{Certificate: oid.Base64(), Signature: oid.SignRaw(t, []byte(challenge)), Challenge: challenge, Format: cx.FormatRaw}},
				{"pkcs7 detached with attributes", connectors.Evidence{Signature: serial.SignPKCS7(t, []byte(challenge), x509test.PKCS7Options{Attributes: true}), Challenge: challenge}},
				{"pkcs7 attached", connectors.Evidence{Certificate: cfca.PEM(), Signature: cfca.SignPKCS7(t, []byte(challenge), x509test.PKCS7Options{Attached: true}), Challenge: challenge, Format: cx.FormatPKCS7}},
				{"mtls", connectors.Evidence{Chain: [][]byte{serial.DER}}},
			}
			for _, tc := range cases {
				id, err := c.Authenticate(ctx, tc.ev)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if id.UnitID != unitCredit || id.Kind != connectors.KindUnit || id.LinkPolicy != connectors.LinkAuto {
					t.Errorf("%s: identity %+v", tc.name, id)
				}
				if !strings.HasPrefix(id.Subject, "sha256:") || len(id.AltSubjects) != 1 || !strings.HasPrefix(id.AltSubjects[0], "issuer-serial:") {
					t.Errorf("%s: subjects %q %q", tc.name, id.Subject, id.AltSubjects)
				}
				if len(id.AMR) != 1 || id.AMR[0] != cx.AMRHardware || id.ACR != cx.DefaultACR {
					t.Errorf("%s: amr %v acr %q", tc.name, id.AMR, id.ACR)
				}
			}
			// The subjects are the ones the admin API derives.
			id, _ := c.Authenticate(ctx, cases[0].ev)
			if want := ids.CertFingerprintOf(cfca.DER); id.Subject != want {
				t.Errorf("subject %q, want %q", id.Subject, want)
			}
			if want, _ := ids.CertIssuerSerialOfCert(cfca.Cert); id.AltSubjects[0] != want {
				t.Errorf("alt subject %q, want %q", id.AltSubjects[0], want)
			}
			if n := ca.CRLFetches(); n != 1 {
				t.Errorf("CRL fetched %d times, want 1 (cached until nextUpdate)", n)
			}
		})
	}
}

func TestCertificateRefusals(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clk := connectorstest.NewClock(time.Now())
			ca := x509test.NewCA(t, alg, "CA "+string(alg), clk.Now)
			other := x509test.NewCA(t, alg, "Other CA "+string(alg), clk.Now)
			c := open(t, clk.Now, "link_policy: auto\n", caBlock(ca, "test", crlRevocation(ca)))
			unit := func(o x509test.LeafOptions) *x509test.Leaf {
				if o.CommonName == "" {
					o.CommonName = x509test.CFCAName(unitCredit, "示例")
				}
				return ca.Issue(t, o)
			}
			signed := func(l *x509test.Leaf) connectors.Evidence {
				return connectors.Evidence{Certificate: l.PEM(), Signature: l.SignRaw(t, []byte(challenge)), Challenge: challenge}
			}
			now := clk.Now()
			revoked := unit(x509test.LeafOptions{})
			ca.Revoke(revoked.Cert.SerialNumber)
			good := unit(x509test.LeafOptions{})
			otherContent := signed(good)
			otherContent.Signature = good.SignRaw(t, []byte("something else"))
			wrongCert := signed(good)
			wrongCert.Certificate = unit(x509test.LeafOptions{}).PEM()
			cases := []struct {
				name string
				ev   connectors.Evidence
				code string
			}{
				{"expired", signed(unit(x509test.LeafOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)})), "expired"},
				{"not yet valid", signed(unit(x509test.LeafOptions{NotBefore: now.Add(time.Hour)})), "not_yet_valid"},
				{"wrong CA", signed(other.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "x")})), "untrusted"},
				{"encryption certificate", signed(unit(x509test.LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment})), "key_usage"},
				{"server-only EKU", signed(unit(x509test.LeafOptions{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})), "key_usage"},
				{"revoked by CRL", signed(revoked), "revoked"},
				{"bad check digit", signed(unit(x509test.LeafOptions{CommonName: x509test.CFCAName(badCredit, "x")})), "invalid_identifier"},
				{"no identifier", signed(unit(x509test.LeafOptions{CommonName: "plain"})), "no_identifier"},
				{"signature over other content", otherContent, "bad_signature"},
				{"signature by another key", wrongCert, "bad_signature"},
				{"pkcs7 over other content", connectors.Evidence{Challenge: challenge, Signature: good.SignPKCS7(t, []byte(challenge), x509test.PKCS7Options{Attached: true, Content: []byte("other")})}, "bad_signature"},
				{"garbage PEM", connectors.Evidence{Certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", Signature: "AAAA", Challenge: challenge}, "bad_evidence"},
				{"garbage DER", connectors.Evidence{Chain: [][]byte{[]byte("\x30\x03\x02\x01\x01")}}, "bad_evidence"},
				{"truncated pkcs7", connectors.Evidence{Challenge: challenge, Format: cx.FormatPKCS7, Signature: truncate(good.SignPKCS7(t, []byte(challenge), x509test.PKCS7Options{}))}, "bad_evidence"},
				{"oversized chain", connectors.Evidence{Chain: [][]byte{good.DER, good.DER, good.DER, good.DER, good.DER, good.DER}}, "bad_evidence"},
				{"no challenge", connectors.Evidence{Certificate: good.PEM(), Signature: good.SignRaw(t, nil)}, "bad_evidence"},
			}
			for _, tc := range cases {
				_, err := c.Authenticate(ctx, tc.ev)
				if got := connectorstest.LoginErrorCode(err); got != tc.code {
					t.Errorf("%s: %s, want %s", tc.name, got, tc.code)
				}
				if le, ok := connectors.AsLoginError(err); ok && (le.Text("zh-CN") == "" || le.Text("en") == "") {
					t.Errorf("%s: no message", tc.name)
				}
			}
		})
	}
}

func truncate(b64 string) string { return b64[:len(b64)/2] }

func TestRevokedByOCSP(t *testing.T) {
	t.Parallel()
	for _, alg := range []x509test.Alg{x509test.RSA, x509test.ECDSA, x509test.SM2} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			ca := x509test.NewCA(t, alg, "OCSP CA", nil)
			// OCSP answers; the CRL would say good and is never asked.
			c := open(t, nil, "link_policy: auto\n", caBlock(ca, "t", "ocsp: true\ndistribution_points: true"))
			l := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "x"), OCSP: true, CRLDP: true})
			ev := connectors.Evidence{Chain: [][]byte{l.DER}}
			if _, err := c.Authenticate(context.Background(), ev); err != nil {
				t.Fatalf("good by OCSP: %v", err)
			}
			ca.Revoke(l.Cert.SerialNumber)
			if _, err := c.Authenticate(context.Background(), ev); connectorstest.LoginErrorCode(err) != "revoked" {
				t.Fatalf("revoked by OCSP: %v", err)
			}
			if n := ca.CRLFetches(); n != 0 {
				t.Errorf("CRL fetched %d times though OCSP answered", n)
			}
		})
	}
}

// TestSM2OCSP: SM2 CAs' OCSP answers (SM2-with-SM3, which
// golang.org/x/crypto/ocsp cannot verify) are verified here, by the CA's
// key or a delegated responder's, and anything unverified fails closed.
func TestSM2OCSP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T) (*x509test.CA, *cx.Connector, connectors.Evidence, *x509test.Leaf) {
		ca := x509test.NewCA(t, x509test.SM2, "SM2 OCSP CA", nil)
		// No CRL: OCSP alone answers, so a failure cannot fall back.
		c := open(t, nil, "link_policy: auto\n", caBlock(ca, "t", "ocsp: true\ndistribution_points: false"))
		l := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "x"), OCSP: true})
		return ca, c, connectors.Evidence{Chain: [][]byte{l.DER}}, l
	}
	t.Run("bad signature", func(t *testing.T) {
		t.Parallel()
		ca, c, ev, _ := setup(t)
		ca.SetOCSPBadSignature(true)
		if _, err := c.Authenticate(ctx, ev); connectorstest.LoginErrorCode(err) != "revocation_unavailable" {
			t.Fatalf("bad SM2 OCSP signature: %v", err)
		}
		ca.SetOCSPBadSignature(false)
		if _, err := c.Authenticate(ctx, ev); err != nil {
			t.Fatalf("good SM2 OCSP signature: %v", err)
		}
	})
	t.Run("delegated responder", func(t *testing.T) {
		t.Parallel()
		ca, c, ev, l := setup(t)
		ca.SetOCSPDelegate(t, true)
		if _, err := c.Authenticate(ctx, ev); err != nil {
			t.Fatalf("good by delegated responder: %v", err)
		}
		ca.Revoke(l.Cert.SerialNumber)
		if _, err := c.Authenticate(ctx, ev); connectorstest.LoginErrorCode(err) != "revoked" {
			t.Fatalf("revoked by delegated responder: %v", err)
		}
	})
	t.Run("delegate without OCSP-signing EKU", func(t *testing.T) {
		t.Parallel()
		ca, c, ev, _ := setup(t)
		ca.SetOCSPDelegate(t, false)
		if _, err := c.Authenticate(ctx, ev); connectorstest.LoginErrorCode(err) != "revocation_unavailable" {
			t.Fatalf("responder without the EKU: %v", err)
		}
	})
	t.Run("delegate of another CA", func(t *testing.T) {
		t.Parallel()
		ca, c, ev, _ := setup(t)
		other := x509test.NewCA(t, x509test.SM2, "Other SM2 CA", nil)
		ca.SetOCSPSigner(other.Issue(t, x509test.LeafOptions{CommonName: "OCSP responder", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}))
		if _, err := c.Authenticate(ctx, ev); connectorstest.LoginErrorCode(err) != "revocation_unavailable" {
			t.Fatalf("responder of another CA: %v", err)
		}
	})
}

func TestCRLUnreachableGrace(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			clk := connectorstest.NewClock(time.Now())
			ca := x509test.NewCA(t, alg, "Grace CA", clk.Now)
			ca.SetCRLNextUpdate(time.Hour)
			c := open(t, clk.Now, "link_policy: auto\n", caBlock(ca, "t", "crl_urls: ["+ca.CRLURL+"]\ngrace: 2h"))
			l := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "x")})
			ev := connectors.Evidence{Chain: [][]byte{l.DER}}
			ctx := context.Background()
			if _, err := c.Authenticate(ctx, ev); err != nil {
				t.Fatal(err)
			}
			ca.SetCRLDown(true)
			clk.Advance(2 * time.Hour) // past nextUpdate, inside the grace
			if _, err := c.Authenticate(ctx, ev); err != nil {
				t.Fatalf("inside the grace: %v", err)
			}
			clk.Advance(90 * time.Minute) // nextUpdate + 2h30m
			if _, err := c.Authenticate(ctx, ev); connectorstest.LoginErrorCode(err) != "revocation_unavailable" {
				t.Fatalf("after the grace: %v", err)
			}
			ca.SetCRLDown(false)
			if _, err := c.Authenticate(ctx, ev); err != nil {
				t.Fatalf("CRL back: %v", err)
			}
		})
	}
}

func TestCRLNeverFetchedFailsClosed(t *testing.T) {
	t.Parallel()
	ca := x509test.NewCA(t, x509test.ECDSA, "Down CA", nil)
	ca.SetCRLDown(true)
	c := open(t, nil, "link_policy: auto\n", caBlock(ca, "t", crlRevocation(ca)))
	l := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "x")})
	if _, err := c.Authenticate(context.Background(), connectors.Evidence{Chain: [][]byte{l.DER}}); connectorstest.LoginErrorCode(err) != "revocation_unavailable" {
		t.Fatalf("got %v", err)
	}
}

func TestExtractionRules(t *testing.T) {
	t.Parallel()
	ca := x509test.NewCA(t, x509test.ECDSA, "Rules CA", nil)
	person := fmt.Sprintf(`  - name: p
    kind: person
    key_storage: software
    roots: |
%s
    revocation: {mode: off}
    extract:
      - oid: 1.2.156.10260.4.1.1
        type: resident_id
`, indent(ca.PEM(), 6))
	c := open(t, nil, "link_policy: bound\n", person)
	l := ca.Issue(t, x509test.LeafOptions{CommonName: "张三", Extensions: []pkix.Extension{x509test.StringExtension(x509test.OIDIDNumber, "0"+personID)}})
	id, err := c.Authenticate(context.Background(), connectors.Evidence{Chain: [][]byte{l.DER}})
	if err != nil {
		t.Fatal(err)
	}
	if id.Kind != connectors.KindPerson || id.Claims["id_number"] != personID || id.AMR[0] != cx.AMRSoftware || id.Name != "张三" {
		t.Errorf("identity %+v", id)
	}
	org := fmt.Sprintf(`  - name: o
    roots: |
%s
    revocation: {mode: off}
    extract:
      - subject: serialNumber
        type: org_code
`, indent(ca.PEM(), 6))
	c = open(t, nil, "", org)
	orgCode := ids.OrgCodeFromCredit(orgCredit)
	l = ca.Issue(t, x509test.LeafOptions{CommonName: "old unit", SerialNumber: orgCode[:8] + "-" + orgCode[8:]})
	id, err = c.Authenticate(context.Background(), connectors.Evidence{Chain: [][]byte{l.DER}})
	if err != nil {
		t.Fatal(err)
	}
	if id.Claims["org_code"] != orgCode || !cx.MatchesOrgCode(orgCredit, id.Claims["org_code"].(string)) {
		t.Errorf("org code %v", id.Claims["org_code"])
	}
	// Bound CAs without a finding still log in: the binding decides.
	l = ca.Issue(t, x509test.LeafOptions{CommonName: "no id"})
	if _, err := c.Authenticate(context.Background(), connectors.Evidence{Chain: [][]byte{l.DER}}); err != nil {
		t.Errorf("bound without identifier: %v", err)
	}
}

func TestComponentOrigins(t *testing.T) {
	t.Parallel()
	ca := x509test.NewCA(t, x509test.ECDSA, "CA", nil)
	c := open(t, nil, "component_origins: [http://127.0.0.1:5052, 'WSS://LocalHost:5053/', 'ws://[::1]:4000']\n", caBlock(ca, "t", "mode: off"))
	want := []string{"http://127.0.0.1:5052", "wss://localhost:5053", "ws://[::1]:4000"}
	if got := c.ComponentOrigins(); !slices.Equal(got, want) {
		t.Errorf("origins %q, want %q", got, want)
	}
	if got := open(t, nil, "", caBlock(ca, "t", "mode: off")).ComponentOrigins(); len(got) != 0 {
		t.Errorf("default origins %q", got)
	}
}

func TestRootBundleSkipsUnreadable(t *testing.T) {
	t.Parallel()
	ca := x509test.NewCA(t, x509test.SM2, "SM2 root", nil)
	rsa := x509test.NewCA(t, x509test.RSA, "RSA root", nil)
	garbage := "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n"
	var warned []string
	src := fmt.Sprintf("cas:\n  - name: mixed\n    roots: |\n%s\n    revocation: {mode: off}\n", indent(garbage+ca.PEM()+rsa.PEM(), 6))
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	c, err := cx.Open(connectors.Spec{ID: "cert", Config: *n.Content[0], Path: "p"}, connectors.Deps{Logger: logFunc(func(msg string) { warned = append(warned, msg) })})
	if err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "skipped") {
		t.Errorf("warnings %q", warned)
	}
	for _, a := range []*x509test.CA{ca, rsa} {
		l := a.Issue(t, x509test.LeafOptions{CommonName: "x"})
		if _, err := c.Authenticate(context.Background(), connectors.Evidence{Chain: [][]byte{l.DER}}); err != nil {
			t.Errorf("%s: %v", a.Alg, err)
		}
	}
}

type logFunc func(string)

func (f logFunc) Info(string, ...any)     {}
func (f logFunc) Warn(m string, _ ...any) { f(m) }
func (f logFunc) Error(string, ...any)    {}

func (f logFunc) InfoContext(context.Context, string, ...any)       {}
func (f logFunc) WarnContext(_ context.Context, m string, _ ...any) { f(m) }
func (f logFunc) ErrorContext(context.Context, string, ...any)      {}

func TestConfigErrorsNamePaths(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"link_policy: self-bind\ncas: []\n":                                                 "connectors[0].config.link_policy",
		"mtls: false\nchallenge: false\ncas: []\n":                                          "connectors[0].config.mtls",
		"cas:\n  - name: x\n    roots: ''\n":                                                "connectors[0].config.cas[0].roots",
		"unknown: 1\n":                                                                      "connectors[0].config.unknown: unknown key (line 1)",
		"link_policy: auto\ncas:\n  - name: x\n    revocation: {mode: off}\n":               "cas[0].revocation.mode",
		"cas:\n  - name: x\n    extract: [{oid: 1.2, cn_regex: a(b), type: credit_code}]\n": "cas[0].extract[0]",
		"cas:\n  - name: x\n    extract: [{cn_regex: 'ab', type: credit_code}]\n":           "capture group",
		"cas:\n  - name: x\n    extract: [{subject: nosuch, type: credit_code}]\n":          "neither a known attribute",
		"component_origins: [http://127.0.0.1:5052, https://ca.example.cn]\ncas: []\n":      "connectors[0].config.component_origins[1]: \"https://ca.example.cn\": host must be a loopback",
		"cas:\n  - name: x\n    extract: [{oid: 1.2, typo: 1}]\n":                           "connectors[0].config.cas[0].extract[0].typo: unknown key (line 3)",
		"cas:\n  - name: x\n  - name: y\n    revocation: {grace: soon}\n":                   `connectors[0].config.cas[1].revocation.grace: must be a duration such as 24h, got "soon" (line 4)`,
		"cas:\n  - name: x\n    extract: [{oid: [1], type: org_code}]\n":                    "connectors[0].config.cas[0].extract[0].oid: must be a string",
		"component_origins: [http://127.0.0.1:5052/sign]\ncas: []\n":                        "component_origins[0]: \"http://127.0.0.1:5052/sign\": an origin only",
		"component_origins: [ftp://127.0.0.1]\ncas: []\n":                                   "component_origins[0]: \"ftp://127.0.0.1\": scheme must be",
		"component_origins: [\"127.0.0.1:5052\"]\ncas: []\n":                                "component_origins[0]",
		"component_origins: [http://127.0.0.1:99999]\ncas: []\n":                            "component_origins[0]",
		"component_origins: [http://u:p@127.0.0.1:5052]\ncas: []\n":                         "component_origins[0]",
	}
	for src, want := range cases {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		_, err := cx.Open(connectors.Spec{ID: "cert", Config: *n.Content[0], Path: "connectors[0].config"}, connectors.Deps{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to mention %q", src, err, want)
		}
	}
	_ = errors.New
}
