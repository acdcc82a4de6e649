package login_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
)

// qrState is what the QR page shows, read from the rendered DOM.
type qrState struct {
	URL        string `json:"url"`
	QRID       string `json:"qrID"`
	State      string `json:"state"`
	Status     string `json:"status"`
	ImageWidth int    `json:"imageWidth"` // natural width of the loaded QR image: 0 when it did not load
	ImageShown bool   `json:"imageShown"`
	Refresh    bool   `json:"refresh"` // the refresh button is visible
}

const qrStateJS = `(() => {
	const root = document.getElementById("qr"), status = document.getElementById("qr-status");
	const img = document.getElementById("qr-image"), refresh = document.getElementById("qr-refresh");
	return {
		url: location.href,
		qrID: root ? root.dataset.qrId : "",
		state: status ? status.dataset.state : "",
		status: status ? status.innerText.trim() : "",
		imageWidth: img && img.complete ? img.naturalWidth : 0,
		imageShown: !!img && img.getBoundingClientRect().width > 100,
		refresh: !!refresh && refresh.getClientRects().length > 0,
	};
})()`

func (c *chrome) qrState() qrState {
	c.T.Helper()
	return chrometest.Eval[qrState](c.Chrome, "read the QR page", qrStateJS)
}

// waitQR waits until the QR page satisfies cond.
func (c *chrome) waitQR(what string, cond func(qrState) bool) qrState {
	c.T.Helper()
	var st qrState
	if !c.WaitFor(10*time.Second, func() bool { st = c.qrState(); return cond(st) }) {
		c.T.Fatalf("%s: the QR page shows %+v; console: %q", what, st, c.ConsoleErrors())
	}
	return st
}

// TestChromiumQRLogin: the QR page in a real browser. The QR code appears,
// the test, acting as the fund's app, scans it (the page turns to scanned
// with the masked name) and confirms it, and the page lands at the relying
// party with a code the real RP libraries exchange. Once through the event
// stream and once without EventSource, through the long-poll fallback.
func TestChromiumQRLogin(t *testing.T) {
	tests := []struct {
		name          string
		noEventSource bool
		screenshot    string
	}{
		{name: "event stream", screenshot: "/tmp/gjjid-qr-scanned.png"},
		{name: "long polls", noEventSource: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := brokertest.Start(t, brokertest.Options{Edit: brokertest.WithAppScan("")})
			app := brokertest.AppLogin(t, b.URL, brokertest.AgentIDNumber, brokertest.AgentPassword)
			rp := brokertest.NewRP(t, b.URL)
			f := rp.NewFlow()
			c := startChrome(t, "zh-CN,zh;q=0.9")
			if tt.noEventSource {
				if _, err := chromedp.Call(c.Ctx, page.AddScriptToEvaluateOnNewDocument,
					page.AddScriptToEvaluateOnNewDocumentParams{Source: "delete window.EventSource;"}); err != nil {
					t.Fatalf("remove EventSource: %v", err)
				}
			}
			c.Do("open the authorization URL", chromedp.Navigate(f.URL))
			c.Do("choose the QR login", chromedp.Click(chromedp.ID("connector-appscan")), chromedp.WaitVisible(chromedp.ID("qr-image")))

			st := c.waitQR("the QR code appears", func(s qrState) bool { return s.ImageWidth > 0 })
			if st.QRID == "" || !st.ImageShown || st.State != "waiting" || st.Status != "等待扫码…" || st.Refresh {
				t.Fatalf("QR page %+v: want the image shown, waiting, no refresh button", st)
			}
			transport := "/events"
			if tt.noEventSource {
				transport = "/poll"
			}
			if !c.WaitFor(5*time.Second, func() bool { return c.Requested(transport) }) {
				t.Fatalf("the page never opened %s; requests %q", transport, c.AllRequests())
			}

			if code, body := app.Call(t, st.QRID, "scan", nil); code != http.StatusOK {
				t.Fatalf("scan: %d %v", code, body)
			}
			st = c.waitQR("the page shows the scan", func(s qrState) bool { return s.State == "scanned" })
			if !strings.Contains(st.Status, "张*") || strings.Contains(st.Status, brokertest.AgentName) {
				t.Fatalf("scanned status %q: want the masked name 张*", st.Status)
			}
			if tt.screenshot != "" {
				c.Screenshot(tt.screenshot)
			}
			if code, body := app.Call(t, st.QRID, "confirm", nil); code != http.StatusOK {
				t.Fatalf("confirm: %d %v", code, body)
			}
			redeem(t, rp, f, c.WaitRP("confirm in the app"))
			if errs := c.ConsoleErrors(); len(errs) > 0 && !chrometest.OnlyFavicon(errs) {
				t.Errorf("console errors on the QR page: %q", errs)
			}
		})
	}
}

// TestChromiumQRCancelled: a cancel in the app turns the page to cancelled
// with the refresh button, which brings a new QR code.
func TestChromiumQRCancelled(t *testing.T) {
	t.Parallel()
	b := brokertest.Start(t, brokertest.Options{Edit: brokertest.WithAppScan("")})
	app := brokertest.AppLogin(t, b.URL, brokertest.AgentIDNumber, brokertest.AgentPassword)
	f := brokertest.NewRP(t, b.URL).NewFlow()
	c := startChrome(t, "en")
	c.Do("open the authorization URL", chromedp.Navigate(f.URL))
	c.Do("choose the QR login", chromedp.Click(chromedp.ID("connector-appscan")), chromedp.WaitVisible(chromedp.ID("qr-image")))
	st := c.waitQR("the QR code appears", func(s qrState) bool { return s.ImageWidth > 0 })
	app.Call(t, st.QRID, "scan", nil)
	app.Call(t, st.QRID, "cancel", nil)
	st = c.waitQR("the page shows the cancel", func(s qrState) bool { return s.State == "cancelled" && s.Refresh })
	if st.Status != "The sign-in was cancelled in the app." {
		t.Fatalf("cancelled status %q", st.Status)
	}
	old := st.QRID
	if _, err := chromedp.Run(c.Ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.ID("qr-refresh")))); err != nil {
		t.Fatalf("click refresh: %v", err)
	}
	st = c.waitQR("a new QR code", func(s qrState) bool { return s.QRID != "" && s.QRID != old && s.ImageWidth > 0 })
	if st.State != "waiting" || st.Refresh {
		t.Fatalf("after the refresh: %+v", st)
	}
	if doc := c.Response(network.ResourceTypeDocument, "/login/appscan"); doc == nil || chrometest.Header(doc.Headers, "Content-Security-Policy") == "" {
		t.Fatal("the QR page came without its Content-Security-Policy")
	}
}
