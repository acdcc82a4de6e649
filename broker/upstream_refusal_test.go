package broker_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/wechat"
)

// A user who refuses at the upstream is never stranded: back to the
// chooser when another method is left, else back to the relying party
// with error=access_denied and its state (OIDC Core §3.1.2.6).
func TestUpstreamRefusalNeverStrands(t *testing.T) {
	t.Parallel()
	srv := newWeChat(t)
	srv.Deny(true)
	opts := withWeChat(t, srv, wechat.ScopeBase)
	only := opts.Edit
	opts.Edit = func(c *config.Config) {
		only(c)
		// A second client that may also use the password connector.
		two := c.Clients[0]
		two.ID, two.Connectors = "rp-two", []string{"wechat", "password"}
		c.Clients = append(c.Clients, two)
	}
	b := bt.Start(t, opts)

	t.Run("only method: access_denied to the relying party", func(t *testing.T) {
		rp := bt.NewRP(t, b.URL)
		f := rp.NewFlow()
		loc, err := bt.NewBrowser(t).Get(f.URL)
		if err != nil || loc == nil {
			t.Fatalf("refusal ended at the broker (%v), want the relying party", err)
		}
		q := loc.Query()
		if q.Get("error") != "access_denied" || q.Get("state") != f.State || q.Get("iss") != b.URL || q.Has("code") {
			t.Fatalf("redirect %s", loc)
		}
	})

	t.Run("idp_hint names it: access_denied to the relying party", func(t *testing.T) {
		rp := bt.NewRP(t, b.URL)
		rp.OAuth2.ClientID = "rp-two"
		f := rp.NewFlow(oauth2.SetAuthURLParam("idp_hint", "wechat"))
		loc, err := bt.NewBrowser(t).Get(f.URL)
		if err != nil || loc == nil || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != f.State {
			t.Fatalf("refusal with idp_hint: %v %v", loc, err)
		}
	})

	t.Run("another method left: back to the chooser", func(t *testing.T) {
		rp := bt.NewRP(t, b.URL)
		rp.OAuth2.ClientID = "rp-two"
		br := bt.NewBrowser(t)
		if loc, err := br.Get(rp.NewFlow().URL); err != nil || loc != nil {
			t.Fatalf("chooser: %v %v", loc, err)
		}
		m := regexp.MustCompile(`href="(/login/wechat\?id=[^"]+)"`).FindStringSubmatch(br.Page)
		if m == nil {
			t.Fatalf("chooser lacks WeChat: %.500s", br.Page)
		}
		if loc, _ := br.Get(b.URL + html.UnescapeString(m[1])); loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, "未同意微信授权") {
			t.Fatalf("refusal: %v %d %.300s", loc, br.Last, br.Page)
		}
		back := regexp.MustCompile(`<a id="back" href="(/login\?id=[^"]+)"`).FindStringSubmatch(br.Page)
		if back == nil {
			t.Fatalf("refusal page has no way back: %.500s", br.Page)
		}
		if loc, _ := br.Get(b.URL + html.UnescapeString(back[1])); loc != nil || br.Last != http.StatusOK || !strings.Contains(br.Page, `id="connector-password"`) {
			t.Fatalf("back link: %v %d %.300s", loc, br.Last, br.Page)
		}
	})
}
