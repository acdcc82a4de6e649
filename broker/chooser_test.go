package broker_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/wechat"
)

// TestChooserShowsAlipayAndWeChatMarks: a client with both connectors (and
// the password) gets the chooser, each button carrying its connector type
// and, for 支付宝 and 微信, the platform's mark named by its proper name in
// the page's language; the marks are served from /static as SVG.
func TestChooserShowsAlipayAndWeChatMarks(t *testing.T) {
	t.Parallel()
	ali, wx := withAlipay(t, newAlipay(t, false), false), withWeChat(t, newWeChat(t), wechat.ScopeBase)
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		ali.Edit(c)
		wx.Edit(c)
		c.Clients[0].Connectors = []string{"alipay", "wechat", "password"}
	}})
	rp := bt.NewRP(t, b.URL)
	for _, tc := range []struct {
		lang                                     string
		opts                                     []oauth2.AuthCodeOption
		alipayName, alipayAlt, wechatName, wxAlt string
	}{
		{"zh-CN", nil, "支付宝登录", "支付宝", "微信登录", "微信"},
		{"en", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("ui_locales", "en")}, "Sign in with Alipay", "Alipay", "Sign in with WeChat", "WeChat"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			br := bt.NewBrowser(t)
			if loc, err := br.Get(rp.NewFlow(tc.opts...).URL); err != nil || loc != nil {
				t.Fatalf("want the chooser: %v %v", loc, err)
			}
			for _, want := range []string{
				`class="btn secondary connector connector-alipay" data-connector-type="alipay" id="connector-alipay" href="/login/alipay?`,
				`<img class="mark" src="/static/mark-alipay.svg" alt="` + tc.alipayAlt + `" width="20" height="20">` + tc.alipayName + `</a>`,
				`class="btn secondary connector connector-wechat" data-connector-type="wechat" id="connector-wechat" href="/login/wechat?`,
				`<img class="mark" src="/static/mark-wechat.svg" alt="` + tc.wxAlt + `" width="20" height="20">` + tc.wechatName + `</a>`,
				`class="btn secondary connector connector-password" data-connector-type="password" id="connector-password" href="/login/password?`,
			} {
				if !strings.Contains(br.Page, want) {
					t.Errorf("chooser lacks %s:\n%.3000s", want, br.Page)
				}
			}
			// Only the platforms with a mark get one; no inline style (CSP).
			if n := strings.Count(br.Page, `<img class="mark"`); n != 2 {
				t.Errorf("%d marks on the chooser, want 2", n)
			}
			if strings.Contains(br.Page, "style=") || strings.Contains(br.Page, "<svg") {
				t.Errorf("chooser carries inline style or SVG, which the CSP refuses")
			}
		})
	}

	for _, tc := range []struct{ path, contentType, want string }{
		{"/static/mark-alipay.svg", "image/svg+xml", "#1677FF"},
		{"/static/mark-wechat.svg", "image/svg+xml", "#07C160"},
		{"/static/gjjid.css", "text/css; charset=utf-8", ".btn.connector-alipay{border-color:#1677FF}"},
	} {
		resp, err := http.Get(b.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tc.contentType ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: %d %q nosniff %q, body has %s: %t", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"),
				resp.Header.Get("X-Content-Type-Options"), tc.want, strings.Contains(string(body), tc.want))
		}
		if strings.HasSuffix(tc.path, ".svg") && (strings.Contains(string(body), "<script") || strings.Contains(string(body), "href=")) {
			t.Errorf("%s references scripts or other resources", tc.path)
		}
	}
}
