package x509_test

import (
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// TestInspectCertificate: what the counter is shown before binding, and
// the certificates it must refuse with a reason.
func TestInspectCertificate(t *testing.T) {
	t.Parallel()
	ca := x509test.NewCA(t, x509test.ECDSA, "Inspect CA", nil)
	other := x509test.NewCA(t, x509test.ECDSA, "Other CA", nil)
	c := open(t, nil, "link_policy: bound\n", caBlock(ca, "test", crlRevocation(ca)))
	const unit = "91510100MA61ABCD1T"
	good := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unit, "成都示例科技有限公司")})
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: good.DER})
	for name, raw := range map[string][]byte{"DER (.cer)": good.DER, "PEM": pemText} {
		info, err := c.InspectCertificate(t.Context(), raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info.UnitID != unit || info.CA != "test" || !strings.HasPrefix(info.LinkSubject, "sha256:") || info.Serial == "" || !strings.Contains(info.Subject, unit) {
			t.Errorf("%s: %+v", name, info)
		}
	}
	for name, tc := range map[string]struct {
		raw  []byte
		want string
	}{
		"garbage":      {[]byte("not a certificate"), "does not parse"},
		"expired":      {ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unit, "x"), NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}).DER, "expired"},
		"another CA's": {other.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unit, "x")}).DER, "chain"},
	} {
		if _, err := c.InspectCertificate(t.Context(), tc.raw); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}

	// A leaf under an intermediate the configuration does not name chains
	// when the PEM carries the intermediate after it, and not without it.
	sub := ca.Intermediate(t, "Inspect Sub CA")
	under := sub.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unit, "成都示例科技有限公司")})
	withChain := under.PEM() + sub.PEM()
	if info, err := c.InspectCertificate(t.Context(), []byte(withChain)); err != nil || info.CA != "test" || info.UnitID != unit ||
		!strings.Contains(info.Issuer, "Inspect Sub CA") || info.LinkSubject == "" {
		t.Errorf("leaf and intermediate: %+v %v, want the leaf's details under CA test", info, err)
	}
	if _, err := c.InspectCertificate(t.Context(), under.DER); err == nil || !strings.Contains(err.Error(), "chain") {
		t.Errorf("the leaf without its intermediate: %v, want a chain error", err)
	}
	if _, err := c.InspectCertificate(t.Context(), []byte(strings.Repeat(sub.PEM(), 6))); err == nil || !strings.Contains(err.Error(), "more than 5") {
		t.Errorf("six certificates: %v, want the chain limit (5)", err)
	}

	noUnit, err := c.InspectCertificate(t.Context(), ca.Issue(t, x509test.LeafOptions{CommonName: "张三"}).DER)
	if err != nil || noUnit.UnitID != "" {
		t.Errorf("a certificate naming no unit: %+v %v, want no unit and no error (the page refuses it)", noUnit, err)
	}
}
