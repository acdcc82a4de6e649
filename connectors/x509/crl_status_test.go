package x509_test

import (
	"context"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// TestCRLsReportStaleness: CRLs reports nothing before a fetch, then the
// CRL with its nextUpdate; RefreshFailed only while a refetch past
// nextUpdate fails (answered from the stale copy, then refused), and clears
// when the CRL is back.
func TestCRLsReportStaleness(t *testing.T) {
	t.Parallel()
	clk := connectorstest.NewClock(time.Now())
	ca := x509test.NewCA(t, x509test.ECDSA, "Status CA", clk.Now)
	ca.SetCRLNextUpdate(time.Hour)
	c := open(t, clk.Now, "link_policy: auto\n", caBlock(ca, "t", "crl_urls: ["+ca.CRLURL+"]\ngrace: 2h"))
	l := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "x")})
	ev := connectors.Evidence{Chain: [][]byte{l.DER}}
	ctx := context.Background()
	report := func(what string, wantFailed bool) connectors.CRLStatus {
		t.Helper()
		got := c.CRLs()
		if len(got) != 1 || got[0].URL != ca.CRLURL || got[0].RefreshFailed != wantFailed {
			t.Fatalf("%s: CRLs() = %+v, want one for %s with RefreshFailed %v", what, got, ca.CRLURL, wantFailed)
		}
		return got[0]
	}

	if got := c.CRLs(); len(got) != 0 {
		t.Fatalf("before any login CRLs() = %+v", got)
	}
	if _, err := c.Authenticate(ctx, ev); err != nil {
		t.Fatal(err)
	}
	first := report("fetched", false)
	if first.NextUpdate.Before(clk.Now()) {
		t.Fatalf("fresh CRL's nextUpdate %s is before now %s", first.NextUpdate, clk.Now())
	}
	ca.SetCRLDown(true)
	clk.Advance(2 * time.Hour) // past nextUpdate, inside the grace
	if _, err := c.Authenticate(ctx, ev); err != nil {
		t.Fatalf("inside the grace: %v", err)
	}
	if s := report("stale, inside the grace", true); !s.NextUpdate.Equal(first.NextUpdate) {
		t.Fatalf("stale nextUpdate %s, want the cached %s", s.NextUpdate, first.NextUpdate)
	}
	clk.Advance(90 * time.Minute) // past the grace: refused, still reported stale
	if _, err := c.Authenticate(ctx, ev); err == nil {
		t.Fatal("past the grace: login accepted")
	}
	report("past the grace", true)
	ca.SetCRLDown(false)
	if _, err := c.Authenticate(ctx, ev); err != nil {
		t.Fatalf("CRL back: %v", err)
	}
	if s := report("back", false); !s.NextUpdate.After(clk.Now()) {
		t.Fatalf("refetched CRL's nextUpdate %s is not after now %s", s.NextUpdate, clk.Now())
	}
}
