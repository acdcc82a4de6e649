package pages_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/accounts"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

var (
	challengeRe = regexp.MustCompile(`name="challenge" value="([^"]+)"`)
	certLinkRe  = regexp.MustCompile(`href="(/login/cert\?[^"]+)"`)
)

// proof signs the challenge on the page with leaf's key: the form fields
// a CA component would post.
func proof(t *testing.T, page string, leaf *x509test.Leaf) url.Values {
	t.Helper()
	m := challengeRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no challenge on the page: %.1500s", page)
	}
	ch := html.UnescapeString(m[1])
	h := sha256.Sum256([]byte(ch))
	sig, err := leaf.Key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"challenge": {ch}, "certificate": {string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.DER}))},
		"signature": {base64.StdEncoding.EncodeToString(sig)}, "format": {""}}
}

// TestBindCertificateOnline: the demo unit, signed in with its bound
// certificate, binds its renewed certificate on 网厅绑定CA证书 by signing a
// challenge with it, and the renewed certificate then logs in under the
// `bound` policy. A pasted certificate without a signature, a certificate
// naming another unit and a replayed proof are refused, audited, and bind
// nothing.
func TestBindCertificateOnline(t *testing.T) {
	t.Parallel()
	ca := x509test.NewCA(t, x509test.ECDSA, "Unit CA bind", nil)
	cert := bt.CertConnector(t, ca, "link_policy: bound\n", "")
	b := bt.Start(t, bt.Options{
		Connectors: connectors.Registry{cx.Type: cx.Factory},
		Edit: func(c *config.Config) {
			c.Connectors = append(c.Connectors, cert)
			c.Clients[0].Connectors = []string{"cert"}
		},
	})
	ctx := context.Background()
	old := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, bt.UnitName)})
	renewed := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.UnitID, bt.UnitName)})
	foreign := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(bt.Unit2ID, bt.Unit2Name)})
	if _, err := b.Accounts.CreateLink(ctx, accounts.NewLink{Connector: "cert", Subject: ids.CertFingerprintOf(old.DER), Kind: store.LinkUnit,
		UnitID: bt.UnitID, Label: "counter", CreatedBy: "client:" + bt.AdminID}); err != nil {
		t.Fatal(err)
	}

	// The unit signs in at /unit with the certificate bound at the counter.
	br := bt.NewBrowser(t)
	if _, err := br.Get(b.URL + "/unit"); err != nil {
		t.Fatal(err)
	}
	m := certLinkRe.FindStringSubmatch(br.Page)
	if m == nil {
		t.Fatalf("no certificate button on the chooser: %.1500s", br.Page)
	}
	if _, err := br.Get(b.URL + html.UnescapeString(m[1])); err != nil {
		t.Fatal(err)
	}
	action, vals, err := br.Form(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range proof(t, br.Page, old) {
		vals[k] = v
	}
	if _, err := br.Post(action, vals); err != nil {
		t.Fatal(err)
	}
	if br.Last != http.StatusOK || !strings.Contains(br.Page, "单位登录权限管理") || !strings.Contains(br.Page, "counter") {
		t.Fatalf("after the certificate login: status %d: %.2000s", br.Last, br.Page)
	}

	bind := func(form url.Values) (int, string) {
		form.Set("csrf", csrf(t, br))
		code, body, _ := post(t, br, b.URL+"/unit/certificates/bind", form, nil)
		return code, body
	}
	open := func() string {
		if _, err := br.Get(b.URL + "/unit/certificates/bind"); err != nil || br.Last != http.StatusOK {
			t.Fatalf("binding page: %d %v: %.1000s", br.Last, err, br.Page)
		}
		return br.Page
	}
	pasted := proof(t, open(), renewed)
	pasted.Del("signature")
	if code, body := bind(pasted); code != http.StatusBadRequest || !strings.Contains(body, "只提交证书不能证明持有证书") {
		t.Errorf("a pasted PEM: status %d: %.1500s", code, body)
	}
	if code, body := bind(proof(t, open(), foreign)); code != http.StatusBadRequest || !strings.Contains(body, "载明的不是本单位") {
		t.Errorf("another unit's certificate: status %d: %.1500s", code, body)
	}
	good := proof(t, open(), renewed)
	if code, body := bind(good); code != http.StatusSeeOther {
		t.Fatalf("binding the renewed certificate: status %d: %.1500s", code, body)
	}
	if code, body := bind(good); code != http.StatusBadRequest || !strings.Contains(body, "挑战值无效") {
		t.Errorf("a replayed proof: status %d: %.1500s", code, body)
	}
	for _, l := range []struct {
		leaf  *x509test.Leaf
		bound bool
	}{{renewed, true}, {foreign, false}} {
		_, err := b.Accounts.GetLink(ctx, "cert", ids.CertFingerprintOf(l.leaf.DER))
		if (err == nil) != l.bound {
			t.Errorf("link of %s: %v, want bound %v", l.leaf.Cert.Subject.CommonName, err, l.bound)
		}
	}
	if _, err := br.Get(b.URL + "/unit"); err != nil || !strings.Contains(br.Page, "Unit CA bind") {
		t.Errorf("the unit's certificate list lacks the renewed one (issuer shown): %.3000s", br.Page)
	}

	// The renewed certificate logs in for the unit under `bound`.
	rp := bt.NewRP(t, b.URL)
	f := rp.NewFlow()
	br2 := bt.NewBrowser(t)
	if _, err := br2.Get(f.URL); err != nil {
		t.Fatal(err)
	}
	action, vals, err = br2.Form(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range proof(t, br2.Page, renewed) {
		vals[k] = v
	}
	loc, err := br2.Post(action, vals)
	if err != nil {
		t.Fatal(err)
	}
	code, err := rp.Callback(f, loc)
	if err != nil {
		t.Fatalf("renewed certificate login: %v: %.1500s", err, br2.Page)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, idt, err := rp.Exchange(cctx, f, code)
	if err != nil {
		t.Fatal(err)
	}
	var cl struct {
		UnitID string `json:"unit_id"`
	}
	if err := idt.Claims(&cl); err != nil || cl.UnitID != bt.UnitID {
		t.Errorf("renewed certificate's token acts for %q (%v), want %s", cl.UnitID, err, bt.UnitID)
	}
}
