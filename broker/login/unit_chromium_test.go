package login_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

// TestChromiumUnitChooser: an agent of two units chooses one after the
// password; the choice goes into unit_id and is remembered for the browser
// session, so the next sign-in goes straight back to the relying party.
func TestChromiumUnitChooser(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		c.Seed.Persons[0].Units = []string{bt.UnitID, bt.Unit2ID}
	}})
	rp := bt.NewRP(t, b.URL)
	f := rp.NewFlow()
	c := startChrome(t, "zh-CN,zh;q=0.9")
	c.Do("open the authorization URL", chromedp.Navigate(f.URL))
	c.Login(bt.AgentIDNumber, bt.AgentPassword)

	c.Do("wait for the unit chooser", chromedp.WaitVisible(chromedp.ID("continue")))
	heading, err := chromedp.Run(c.Ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	units, err := chromedp.Run(c.Ctx, chromedp.Text(chromedp.CSS("ul.units")))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "请选择要办理业务的单位" || !strings.Contains(units, bt.UnitName) || !strings.Contains(units, bt.Unit2Name) {
		t.Fatalf("chooser %q lists %q, want both units", heading, units)
	}
	c.Do("choose the second unit",
		chromedp.Click(chromedp.CSS(`input[value="`+bt.Unit2ID+`"]`)),
		chromedp.Click(chromedp.ID("continue")),
	)
	if got := unitOf(t, rp, f, c.WaitRP("choose a unit")); got != bt.Unit2ID {
		t.Fatalf("unit_id %q, want the chosen %s", got, bt.Unit2ID)
	}

	// The same browser signs in again: no password, no chooser.
	f2 := rp.NewFlow()
	// Navigate without waiting for a load: the tab ends at the relying
	// party, which does not run, and waitRP catches that request.
	if _, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string]("location.href = "+strconv.Quote(f2.URL))); err != nil {
		t.Fatal(err)
	}
	if got := unitOf(t, rp, f2, c.WaitRP("second sign-in")); got != bt.Unit2ID {
		t.Fatalf("second sign-in acts for %q, want the remembered %s", got, bt.Unit2ID)
	}
}

// unitOf redeems the code Chromium carried to the relying party and
// returns the ID token's unit_id.
func unitOf(t *testing.T, rp *bt.RP, f bt.Flow, loc *url.URL) string {
	t.Helper()
	var claims struct {
		UnitID string `json:"unit_id"`
	}
	rp.Redeem(t, f, loc, nil, &claims)
	return claims.UnitID
}
