// Package chrometest drives the broker's pages in a real headless Chromium
// (the Debian packages chromium and chromium-driver) through chromedp, for
// the Chromium tests of the login and the people's pages: the browser
// follows the broker's redirects, keeps its cookies, runs the HTML form
// validation and the page scripts under the broker's Content Security
// Policy, applies the stylesheet and sends Sec-Fetch-Site and Origin as a
// real browser does, which the HTTP-level brokertest.Browser does not.
package chrometest

import (
	"context"
	"fmt"
	"net/url"
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
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/gjjid/gjjid/broker/brokertest"
)

// DefaultTimeout bounds a browser's whole life when Options.Timeout is
// zero, so a hung page fails the test instead of hanging it.
const DefaultTimeout = 30 * time.Second

// RPHost is where the demo client's redirect URI points; nothing listens.
var RPHost = func() string {
	u, err := url.Parse(brokertest.RedirectURI)
	if err != nil {
		panic(err)
	}
	return u.Host
}()

// Options say how to start a browser.
type Options struct {
	// AcceptLanguage is sent with every request ("" leaves Chromium's own).
	AcceptLanguage string
	// Phone emulates a phone's screen, 390×844 (headless windows are at
	// least 500 pixels wide).
	Phone bool
	// Timeout bounds the browser's life (DefaultTimeout when zero).
	Timeout time.Duration
	// IgnoreFavicon keeps the favicon's 404 out of ConsoleErrors.
	IgnoreFavicon bool
}

// Chrome is one headless Chromium with one tab, and what the tab saw.
type Chrome struct {
	T   *testing.T
	Ctx context.Context // the tab; ends at the timeout after the start

	ignoreFavicon bool

	mu        sync.Mutex
	ended     bool                // the test cleanup ran: log nothing more
	requests  []string            // URLs of every request, redirect targets included
	responses []*network.Response // every response with its resource type
	types     []network.ResourceType
	errors    []string      // console.error, uncaught exceptions, log entries of level error
	errSignal chan struct{} // a new entry in errors
	rp        chan *url.URL // requests to the relying party's redirect URI
}

// path finds the browser; a missing browser fails the test, since these
// tests are the only ones that see the pages as a browser does.
func path(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() {
		return "/usr/bin/chromium"
	}
	t.Fatalf("headless Chromium not found (no chromium on PATH, no /usr/bin/chromium): " +
		"install the Debian packages chromium chromium-driver (apt-get install chromium chromium-driver)")
	return ""
}

// Start starts a headless Chromium that ends with the test.
func Start(t *testing.T, o Options) *Chrome {
	t.Helper()
	c := &Chrome{T: t, ignoreFavicon: o.IgnoreFavicon, rp: make(chan *url.URL, 16), errSignal: make(chan struct{}, 1)}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	// The flags, and no others from chromedp: DefaultExecAllocatorOptions
	// adds many more. chromedp adds --remote-debugging-pipe and a fresh
	// --user-data-dir it removes when the allocator ends.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path(t)),
		chromedp.NoDefaultBrowserCheck,
		chromedp.NoFirstRun,
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithListener(c.listen), chromedp.WithErrorf(c.logf), chromedp.WithLogf(c.logf))
	// The first Run binds the browser's life to this context: the timeout
	// kills Chromium too.
	ctx, cancelTimeout := context.WithTimeout(tabCtx, o.Timeout)
	c.Ctx = ctx
	t.Cleanup(func() {
		c.mu.Lock()
		c.ended = true
		c.mu.Unlock()
		cancelTimeout()
		cancelTab()
		cancelAlloc() // waits until Chromium exited and its profile is gone
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if o.AcceptLanguage != "" {
		v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
		if err != nil {
			t.Fatalf("Browser.getVersion: %v", err)
		}
		if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride,
			emulation.SetUserAgentOverrideParams{UserAgent: v.UserAgent, AcceptLanguage: o.AcceptLanguage}); err != nil {
			t.Fatalf("set Accept-Language: %v", err)
		}
	}
	if o.Phone {
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
			emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}); err != nil {
			t.Fatalf("emulate a phone: %v", err)
		}
	}
	return c
}

func (c *Chrome) logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ended {
		c.T.Logf("chromedp: "+format, args...)
	}
}

// listen runs in the tab's event loop: record and return.
func (c *Chrome) listen(ev any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.errors)
	defer func() {
		if len(c.errors) > n {
			select {
			case c.errSignal <- struct{}{}:
			default:
			}
		}
	}()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		c.requests = append(c.requests, ev.Request.URL)
		if u, err := url.Parse(ev.Request.URL); err == nil && u.Host == RPHost {
			select {
			case c.rp <- u:
			default:
			}
		}
	case *network.EventResponseReceived:
		c.responses = append(c.responses, ev.Response)
		c.types = append(c.types, ev.Type)
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
		if ev.Entry.Level == cdplog.EntryLevelError && !(c.ignoreFavicon && strings.Contains(ev.Entry.URL, "favicon")) {
			c.errors = append(c.errors, fmt.Sprintf("log %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// Do runs steps in the tab; an error fails the test with where the tab is
// and what the console said.
func (c *Chrome) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	c.T.Helper()
	if err := chromedp.Do(c.Ctx, steps...); err != nil {
		c.T.Fatalf("%s: %v (at %s; console %q)", what, err, c.Location(), c.ConsoleErrors())
	}
}

// Eval evaluates a JavaScript expression in the tab.
func Eval[T any](c *Chrome, what, js string) T {
	c.T.Helper()
	v, err := chromedp.Run(c.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		c.T.Fatalf("%s: %v", what, err)
	}
	return v
}

// Location is the tab's URL ("" when it cannot be read).
func (c *Chrome) Location() string {
	v, _ := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`location.href`))
	return v
}

func textJS(sel string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText.trim() : ""; })()`, sel)
}

// Text is the visible text of the first element sel matches.
func (c *Chrome) Text(sel string) string {
	c.T.Helper()
	return Eval[string](c, "read "+sel, textJS(sel))
}

// WaitText waits until the element sel shows want and the document has
// loaded; a navigation on the way is waited out. Waiting for the load too
// matters: Chromium shows a page as it streams in, so an early element
// can show while later ones are not parsed yet.
func (c *Chrome) WaitText(what, sel, want string) {
	c.T.Helper()
	js := fmt.Sprintf(`document.readyState === "complete" ? %s : ""`, textJS(sel))
	deadline := time.Now().Add(15 * time.Second)
	for {
		if got, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](js)); err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			c.T.Fatalf("%s: %s never showed %q; at %s it shows %q; console %q", what, sel, want, c.Location(), c.Text("main"), c.ConsoleErrors())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitJS waits until the expression holds; a navigation on the way is
// waited out.
func (c *Chrome) WaitJS(what, expr string) {
	c.T.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if ok, err := chromedp.Run(c.Ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			c.T.Fatalf("%s: never true at %s: %s; console %q", what, c.Location(), expr, c.ConsoleErrors())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitFor polls cond until it holds or d passed; it reports whether it held.
func (c *Chrome) WaitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) || c.Ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// WaitError waits up to d for a console error containing substr after the
// first n ones.
func (c *Chrome) WaitError(n int, substr string, d time.Duration) bool {
	return c.WaitFor(d, func() bool {
		return slices.ContainsFunc(c.ConsoleErrors()[n:], func(s string) bool { return strings.Contains(s, substr) })
	})
}

// ConsoleErrors returns the errors seen so far.
func (c *Chrome) ConsoleErrors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.errors)
}

// OnlyFavicon reports whether every error is about the favicon (its 404
// is no error of the page's).
func OnlyFavicon(errs []string) bool {
	for _, e := range errs {
		if !strings.Contains(e, "favicon") {
			return false
		}
	}
	return true
}

// AllRequests returns the URLs of every request so far.
func (c *Chrome) AllRequests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.requests)
}

// Requested reports whether the page requested a path ending in suffix.
func (c *Chrome) Requested(suffix string) bool {
	for _, r := range c.AllRequests() {
		if i := strings.Index(r, "?"); i >= 0 {
			r = r[:i]
		}
		if strings.HasSuffix(r, suffix) {
			return true
		}
	}
	return false
}

// HasPath matches a URL whose path is path.
func HasPath(path string) func(string) bool {
	return func(s string) bool { u, err := url.Parse(s); return err == nil && u.Path == path }
}

// SentToRP reports the requests to the relying party so far.
func (c *Chrome) SentToRP() []string {
	var out []string
	for _, r := range c.AllRequests() {
		if u, err := url.Parse(r); err == nil && u.Host == RPHost {
			out = append(out, r)
		}
	}
	return out
}

// Response returns the last response of type typ whose path is path.
func (c *Chrome) Response(typ network.ResourceType, path string) *network.Response {
	return c.lastResponse(func(r *network.Response, rt network.ResourceType) bool {
		u, err := url.Parse(r.URL)
		return err == nil && rt == typ && u.Path == path
	})
}

// LastDocument returns the last document Chromium received from base.
func (c *Chrome) LastDocument(base string) *network.Response {
	return c.lastResponse(func(r *network.Response, rt network.ResourceType) bool {
		return rt == network.ResourceTypeDocument && strings.HasPrefix(r.URL, base+"/")
	})
}

func (c *Chrome) lastResponse(match func(*network.Response, network.ResourceType) bool) *network.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.responses) - 1; i >= 0; i-- {
		if match(c.responses[i], c.types[i]) {
			return c.responses[i]
		}
	}
	return nil
}

// Header returns a response header by case-insensitive name.
func Header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// WaitRP waits until Chromium tries to load the relying party's redirect
// URI and returns that URL. A Content Security Policy violation, which
// blocks the navigation for good, fails at once.
func (c *Chrome) WaitRP(what string) *url.URL {
	c.T.Helper()
	for {
		select {
		case u := <-c.rp:
			return u
		case <-c.errSignal:
			errs := c.ConsoleErrors()
			if !slices.ContainsFunc(errs, func(s string) bool { return strings.Contains(s, "Content Security Policy") }) {
				continue // e.g. the favicon's 404
			}
			c.Do("settle", chromedp.Sleep(200*time.Millisecond))
			c.T.Fatalf("%s: Chromium blocked the way to %s; the tab shows %s (main %q); requests %q; console: %q",
				what, brokertest.RedirectURI, c.Location(), c.Text("main"), c.AllRequests(), errs)
		case <-c.Ctx.Done():
			c.T.Fatalf("%s: Chromium never went to %s: %v; requests %q; console: %q",
				what, brokertest.RedirectURI, c.Ctx.Err(), c.AllRequests(), c.ConsoleErrors())
		}
	}
}

// Login types the credentials into the password form like a user and
// submits it.
func (c *Chrome) Login(user, password string) {
	c.T.Helper()
	c.Do("sign in with the password form",
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("secret"), password),
		chromedp.Click(chromedp.ID("submit")),
	)
}

// Screenshot writes a PNG of the whole page to path.
func (c *Chrome) Screenshot(path string) {
	c.T.Helper()
	png, err := chromedp.Run(c.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.T.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		c.T.Fatalf("screenshot: %v", err)
	}
}
