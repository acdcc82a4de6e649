package main

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestDevAlipayAndWeChatButtons: `gjjid dev` runs the fake Alipay and
// WeChat; each button on the dev login page goes through the fake, the
// binding page (the demo agent's password) and back to the relying party.
func TestDevAlipayAndWeChatButtons(t *testing.T) {
	d := startDev(t)
	issuer := d.issuer
	rp := bt.NewRP(t, issuer)
	for _, c := range []struct{ id, label string }{{"alipay", "支付宝登录"}, {"wechat", "微信登录"}} {
		br := bt.NewBrowser(t)
		f := rp.NewFlow()
		if loc, err := br.Get(f.URL); err != nil || loc != nil {
			t.Fatalf("login page: %v %v", loc, err)
		}
		// The button: its link, then (after the brand mark) its name.
		m := regexp.MustCompile(`href="(/login/` + c.id + `\?[^"]*)">(?:<img class="mark"[^>]*>)?` + c.label).FindStringSubmatch(br.Page)
		if m == nil {
			t.Fatalf("no %s button: %.2000s", c.label, br.Page)
		}
		if loc, err := br.Get(issuer + html.UnescapeString(m[1])); err != nil || loc != nil || !strings.Contains(br.Page, "绑定经办人账户") {
			t.Fatalf("%s: want the binding page: %v %v %.500s", c.id, loc, err, br.Page)
		}
		loc, err := br.SubmitPassword(issuer, DemoAgentID, DemoAgentPassword)
		if err != nil {
			t.Fatal(err)
		}
		code, err := rp.Callback(f, loc)
		if err != nil {
			t.Fatalf("%s: %v (%.300s)", c.id, err, br.Page)
		}
		_, idt, err := rp.Exchange(context.Background(), f, code)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		_ = idt.Claims(&claims)
		if claims["idp"] != c.id || claims["unit_id"] != DemoUnitID {
			t.Errorf("%s: claims %v", c.id, claims)
		}
	}
	if !strings.Contains(d.out.String(), "fake Alipay") || !strings.Contains(d.out.String(), "fake WeChat") {
		t.Errorf("banner lacks the fakes:\n%s", d.out.String())
	}
	d.stop(t)
}
