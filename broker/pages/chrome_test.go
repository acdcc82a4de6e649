package pages_test

// A headless Chromium (the Debian packages chromium and chromium-driver)
// driven through chromedp, as the login's Chromium tests do: the browser
// follows the broker's redirects, keeps its cookies, runs pages.js under
// the broker's Content Security Policy and sends Sec-Fetch-Site and
// Origin as a real browser does.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumTimeout = 60 * time.Second

type chrome struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	ended  bool
	errors []string // console errors, exceptions, CSP violations
}

func startChrome(t *testing.T) *chrome {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if st, serr := os.Stat("/usr/bin/chromium"); serr != nil || st.IsDir() {
			t.Fatalf("headless Chromium not found: install the Debian packages chromium chromium-driver")
		}
		path = "/usr/bin/chromium"
	}
	c := &chrome{t: t}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.NoDefaultBrowserCheck, chromedp.NoFirstRun,
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(c.listen))
	ctx, cancel := context.WithTimeout(tabCtx, chromiumTimeout)
	c.ctx = ctx
	t.Cleanup(func() {
		c.mu.Lock()
		c.ended = true
		c.mu.Unlock()
		cancel()
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		t.Fatalf("Browser.getVersion: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride,
		emulation.SetUserAgentOverrideParams{UserAgent: v.UserAgent, AcceptLanguage: "zh-CN,zh;q=0.9"}); err != nil {
		t.Fatalf("set Accept-Language: %v", err)
	}
	// A phone's width (headless windows are at least 500 pixels wide).
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatalf("emulate a phone: %v", err)
	}
	return c
}

func (c *chrome) listen(ev any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range ev.Args {
				args = append(args, fmt.Sprint(a.Value, a.Description))
			}
			c.errors = append(c.errors, "console.error: "+strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		c.errors = append(c.errors, "exception: "+ev.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError && !strings.Contains(ev.Entry.URL, "favicon") {
			c.errors = append(c.errors, fmt.Sprintf("log %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

func (c *chrome) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, steps...); err != nil {
		c.t.Fatalf("%s: %v (at %s; console %q)", what, err, c.location(), c.consoleErrors())
	}
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](c *chrome, what, js string) T {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
	return v
}

func (c *chrome) location() string {
	v, _ := chromedp.Run(c.ctx, chromedp.Evaluate[string](`location.href`))
	return v
}

func (c *chrome) text(sel string) string {
	c.t.Helper()
	return eval[string](c, "read "+sel, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText.trim() : ""; })()`, sel))
}

// waitText waits until the element sel shows want; a navigation on the
// way is waited out.
func (c *chrome) waitText(what, sel, want string) {
	c.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText.trim() : ""; })()`, sel)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if got, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](js)); err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: %s never showed %q; at %s it shows %q; console %q", what, sel, want, c.location(), c.text("main"), c.consoleErrors())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitJS waits until the expression holds; a navigation on the way is
// waited out.
func (c *chrome) waitJS(what, expr string) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if ok, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: never true at %s: %s; console %q", what, c.location(), expr, c.consoleErrors())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *chrome) consoleErrors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.errors)
}

// login types the credentials into the password form and submits it.
func (c *chrome) login(user, password string) {
	c.t.Helper()
	c.do("sign in with the password form",
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("secret"), password),
		chromedp.Click(chromedp.ID("submit")),
	)
}
