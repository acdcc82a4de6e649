package login_test

// These tests drive the login pages in a real headless Chromium (the Debian
// packages chromium and chromium-driver) through chromedp: the browser
// follows the broker's redirects, keeps its cookies, runs the HTML form
// validation, applies the stylesheet and enforces the security headers,
// which the HTTP-level brokertest.Browser does not.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/gjjid/gjjid/broker/brokertest"
)

// chromiumTimeout bounds each browser's whole life, so a hung page fails the
// test instead of hanging it.
const chromiumTimeout = 30 * time.Second

// rpHost is where the demo client's redirect URI points; nothing listens.
var rpHost = func() string {
	u, err := url.Parse(brokertest.RedirectURI)
	if err != nil {
		panic(err)
	}
	return u.Host
}()

// chromiumPath finds the browser; a missing browser fails the test, since
// these tests are the only ones that see the pages as a browser does.
func chromiumPath(t *testing.T) string {
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

// chrome is one headless Chromium with one tab, and what the tab saw.
type chrome struct {
	t   *testing.T
	ctx context.Context // the tab; ends chromiumTimeout after the start

	mu        sync.Mutex
	ended     bool                // the test cleanup ran: log nothing more
	requests  []string            // URLs of every request, redirect targets included
	responses []*network.Response // every response with its resource type
	types     []network.ResourceType
	errors    []string      // console.error, uncaught exceptions, log entries of level error
	errSignal chan struct{} // a new entry in errors
	rp        chan *url.URL // requests to the relying party's redirect URI
}

// startChrome starts a headless Chromium whose requests carry
// acceptLanguage ("" leaves Chromium's own).
// openLogin starts a broker and a Chromium sending acceptLanguage, and
// opens the login page of a new authorization request (with ui_locales when
// set).
func openLogin(t *testing.T, uiLocales, acceptLanguage string) (*brokertest.RP, brokertest.Flow, *chrome) {
	t.Helper()
	b := brokertest.Start(t, brokertest.Options{})
	rp := brokertest.NewRP(t, b.URL)
	var extra []oauth2.AuthCodeOption
	if uiLocales != "" {
		extra = append(extra, oauth2.SetAuthURLParam("ui_locales", uiLocales))
	}
	f := rp.NewFlow(extra...)
	c := startChrome(t, acceptLanguage)
	c.do("open the authorization URL", chromedp.Navigate(f.URL))
	return rp, f, c
}

func startChrome(t *testing.T, acceptLanguage string) *chrome {
	t.Helper()
	c := &chrome{t: t, rp: make(chan *url.URL, 16), errSignal: make(chan struct{}, 1)}
	// The flags, and no others from chromedp: DefaultExecAllocatorOptions
	// adds many more. chromedp adds --remote-debugging-pipe and a fresh
	// --user-data-dir it removes when the allocator ends.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
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
	ctx, cancelTimeout := context.WithTimeout(tabCtx, chromiumTimeout)
	c.ctx = ctx
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
	if acceptLanguage != "" {
		v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
		if err != nil {
			t.Fatalf("Browser.getVersion: %v", err)
		}
		if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride,
			emulation.SetUserAgentOverrideParams{UserAgent: v.UserAgent, AcceptLanguage: acceptLanguage}); err != nil {
			t.Fatalf("set Accept-Language: %v", err)
		}
	}
	return c
}

func (c *chrome) logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ended {
		c.t.Logf("chromedp: "+format, args...)
	}
}

// listen runs in the tab's event loop: record and return.
func (c *chrome) listen(ev any) {
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
		if u, err := url.Parse(ev.Request.URL); err == nil && u.Host == rpHost {
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
		if ev.Entry.Level == cdplog.EntryLevelError {
			c.errors = append(c.errors, fmt.Sprintf("log %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

func (c *chrome) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, steps...); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

// consoleErrors returns the errors seen so far.
func (c *chrome) consoleErrors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.errors)
}

// sentToRP reports the requests to the relying party so far.
func (c *chrome) sentToRP() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.requests {
		if u, err := url.Parse(r); err == nil && u.Host == rpHost {
			out = append(out, r)
		}
	}
	return out
}

// response returns the last response of type typ whose path is path.
func (c *chrome) response(typ network.ResourceType, path string) *network.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.responses) - 1; i >= 0; i-- {
		if u, err := url.Parse(c.responses[i].URL); err == nil && c.types[i] == typ && u.Path == path {
			return c.responses[i]
		}
	}
	return nil
}

// waitRP waits until Chromium tries to load the relying party's redirect
// URI and returns that URL. A Content Security Policy violation, which
// blocks the navigation for good, fails at once.
func (c *chrome) waitRP(what string) *url.URL {
	c.t.Helper()
	for {
		select {
		case u := <-c.rp:
			return u
		case <-c.errSignal:
			errs := c.consoleErrors()
			if !slices.ContainsFunc(errs, func(s string) bool { return strings.Contains(s, "Content Security Policy") }) {
				continue // e.g. the favicon's 404
			}
			c.do("settle", chromedp.Sleep(200*time.Millisecond))
			st := c.state()
			c.t.Fatalf("%s: Chromium blocked the way to %s; the tab shows %s (lang %q, error %q); requests %q; console: %q",
				what, brokertest.RedirectURI, st.URL, st.Lang, st.Error, c.allRequests(), errs)
		case <-c.ctx.Done():
			c.t.Fatalf("%s: Chromium never went to %s: %v; requests %q; console: %q",
				what, brokertest.RedirectURI, c.ctx.Err(), c.allRequests(), c.consoleErrors())
		}
	}
}

// waitFor polls cond until it holds or d passed; it reports whether it held.
func (c *chrome) waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) || c.ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// waitError waits up to d for a console error containing substr after the
// first n ones.
func (c *chrome) waitError(n int, substr string, d time.Duration) bool {
	return c.waitFor(d, func() bool {
		return slices.ContainsFunc(c.consoleErrors()[n:], func(s string) bool { return strings.Contains(s, substr) })
	})
}

func hasPath(path string) func(string) bool {
	return func(s string) bool { u, err := url.Parse(s); return err == nil && u.Path == path }
}

func (c *chrome) allRequests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.requests)
}

// pageState is what the login page shows, read from the rendered DOM.
type pageState struct {
	URL           string `json:"url"`
	Lang          string `json:"lang"`
	Title         string `json:"title"`
	Heading       string `json:"heading"`
	ClientName    string `json:"clientName"`
	UserLabel     string `json:"userLabel"`
	SecretLabel   string `json:"secretLabel"`
	Submit        string `json:"submit"`
	LangSwitch    string `json:"langSwitch"`
	Error         string `json:"error"`
	ErrorRole     string `json:"errorRole"`
	ErrorVisible  bool   `json:"errorVisible"`
	User          string `json:"user"`
	Secret        string `json:"secret"`
	AuthRequestID string `json:"authRequestID"`
	Action        string `json:"action"`
	HeaderColor   string `json:"headerColor"` // computed background of the header: the stylesheet applied
	MainWidth     int    `json:"mainWidth"`
}

const pageStateJS = `(() => {
	const q = s => document.querySelector(s);
	const txt = s => { const e = q(s); return e ? e.innerText.trim() : ""; };
	const val = s => { const e = q(s); return e ? e.value : ""; };
	const err = q("#error"), form = q("form"), header = q("header"), main = q("main");
	return {
		url: location.href,
		lang: document.documentElement.lang,
		title: document.title,
		heading: txt("h1"),
		clientName: txt("#client-name"),
		userLabel: txt("label[for=user]"),
		secretLabel: txt("label[for=secret]"),
		submit: txt("#submit"),
		langSwitch: txt("#lang-switch"),
		error: err ? err.innerText.trim() : "",
		errorRole: err ? (err.getAttribute("role") || "") : "",
		errorVisible: !!err && err.getClientRects().length > 0 && getComputedStyle(err).visibility !== "hidden",
		user: val("#user"),
		secret: val("#secret"),
		authRequestID: val("input[name=id]"),
		action: form ? (form.getAttribute("action") || "") : "",
		headerColor: header ? getComputedStyle(header).backgroundColor : "",
		mainWidth: main ? Math.round(main.getBoundingClientRect().width) : 0,
	};
})()`

func (c *chrome) state() pageState {
	c.t.Helper()
	st, err := chromedp.Run(c.ctx, chromedp.Evaluate[pageState](pageStateJS))
	if err != nil {
		c.t.Fatalf("read the page: %v", err)
	}
	return st
}

func (c *chrome) screenshot(path string) {
	c.t.Helper()
	png, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		c.t.Fatalf("screenshot: %v", err)
	}
}

// texts are the expected visible texts of the password page in one language
// (broker/web/text.go, the connector's name in the configuration, the
// client's name).
type texts struct {
	lang, title, heading, userLabel, secretLabel, submit, langSwitch, badPassword string
}

var (
	zhTexts = texts{lang: "zh-CN", title: "住房公积金统一身份认证", heading: "经办人登录", userLabel: "证件号码或手机号",
		secretLabel: "登录密码（6位数字）", submit: "登录", langSwitch: "English", badPassword: "证件号码/手机号或密码错误"}
	// The heading is the connector's configured name_en.
	enTexts = texts{lang: "en", title: "Housing Provident Fund Sign-in", heading: "Agent sign-in", userLabel: "ID number or mobile",
		secretLabel: "Password (6 digits)", submit: "Sign in", langSwitch: "中文", badPassword: "Incorrect ID number/mobile or password"}
)

const (
	clientName  = "示例业务系统"
	headerColor = "rgb(180, 35, 42)" // #b4232a in gjjid.css
)

// checkPage asserts the password page is shown in the language of want.
func checkPage(t *testing.T, st pageState, want texts) {
	t.Helper()
	u, err := url.Parse(st.URL)
	if err != nil || u.Path != "/login/password" {
		t.Fatalf("page %s, want the password page /login/password", st.URL)
	}
	got := texts{lang: st.Lang, title: st.Title, heading: st.Heading, userLabel: st.UserLabel, secretLabel: st.SecretLabel,
		submit: st.Submit, langSwitch: st.LangSwitch, badPassword: want.badPassword}
	if got != want {
		t.Errorf("page texts\n got %+v\nwant %+v", got, want)
	}
	if st.ClientName != clientName {
		t.Errorf("client name %q, want %q", st.ClientName, clientName)
	}
	if st.HeaderColor != headerColor {
		t.Errorf("header background %q, want %q: is /static/gjjid.css applied?", st.HeaderColor, headerColor)
	}
	if st.MainWidth != 420 {
		t.Errorf("card width %dpx, want 420px (main's max-width in gjjid.css)", st.MainWidth)
	}
	if st.AuthRequestID == "" || st.Action == "" {
		t.Errorf("form without auth request (%q) or action (%q)", st.AuthRequestID, st.Action)
	}
}

// login types the credentials into the form like a user and submits it.
func (c *chrome) login(user, password string) {
	c.t.Helper()
	c.do("log in",
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("secret"), password),
		chromedp.Click(chromedp.ID("submit")),
	)
}

// redeem checks the redirect Chromium tried to follow and redeems its code;
// the ID token must name the agent.
func redeem(t *testing.T, rp *brokertest.RP, f brokertest.Flow, loc *url.URL) {
	t.Helper()
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != brokertest.RedirectURI {
		t.Fatalf("redirect to %s, want %s", loc, brokertest.RedirectURI)
	}
	code, err := rp.Callback(f, loc)
	if err != nil {
		t.Fatalf("callback %s: %v", loc, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, idt, err := rp.Exchange(ctx, f, code)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	var claims struct {
		Name string `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.Name != brokertest.AgentName {
		t.Errorf("ID token name %q, want %q", claims.Name, brokertest.AgentName)
	}
}

// TestChromiumLogin signs in through the real pages: the language comes
// from ui_locales, then Accept-Language, then the broker's default zh-CN.
func TestChromiumLogin(t *testing.T) {
	tests := []struct {
		name           string
		acceptLanguage string
		uiLocales      string
		user           string
		want           texts
		screenshot     string
	}{
		// Neither zh nor en accepted: the broker's default, zh-CN.
		{name: "zh-CN default, ID number", acceptLanguage: "fr-FR,fr;q=0.9", user: brokertest.AgentIDNumber,
			want: zhTexts, screenshot: "/tmp/gjjid-login-zh.png"},
		{name: "zh-CN from Accept-Language, ID number", acceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8", user: brokertest.AgentIDNumber,
			want: zhTexts},
		{name: "en from Accept-Language, mobile", acceptLanguage: "en-GB,en;q=0.9", user: brokertest.AgentMobile,
			want: enTexts},
		// ui_locales wins over Accept-Language.
		{name: "en from ui_locales, mobile", acceptLanguage: "zh-CN,zh;q=0.9", uiLocales: "en", user: brokertest.AgentMobile,
			want: enTexts, screenshot: "/tmp/gjjid-login-en.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rp, f, c := openLogin(t, tt.uiLocales, tt.acceptLanguage)
			checkPage(t, c.state(), tt.want)
			if tt.screenshot != "" {
				c.screenshot(tt.screenshot)
			}

			c.login(tt.user, brokertest.AgentPassword)
			redeem(t, rp, f, c.waitRP("log in"))
		})
	}
}

// TestChromiumWrongPassword: a wrong password shows the one generic error,
// keeps the user on the page with the login kept and the password cleared,
// and the page still works for the right password.
func TestChromiumWrongPassword(t *testing.T) {
	tests := []struct {
		name      string
		uiLocales string
		want      texts
	}{
		{name: "zh-CN", want: zhTexts},
		{name: "en", uiLocales: "en", want: enTexts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rp, f, c := openLogin(t, tt.uiLocales, "fr-FR,fr;q=0.9")
			before := c.state()
			checkPage(t, before, tt.want)
			if before.Error != "" {
				t.Fatalf("error box before any attempt: %q", before.Error)
			}

			// Six digits, so the form's own pattern lets it through.
			resp, err := chromedp.RunResponse(c.ctx,
				chromedp.SendKeys(chromedp.ID("user"), brokertest.AgentIDNumber),
				chromedp.SendKeys(chromedp.ID("secret"), "000000"),
				chromedp.Click(chromedp.ID("submit")))
			if err != nil {
				t.Fatalf("submit a wrong password: %v", err)
			}
			if resp.Status != http.StatusForbidden { // a refusal (status.go)
				t.Errorf("status %d, want %d", resp.Status, http.StatusForbidden)
			}
			st := c.state()
			checkPage(t, st, tt.want)
			if st.Error != tt.want.badPassword || !st.ErrorVisible || st.ErrorRole != "alert" {
				t.Errorf("error box %q (visible %v, role %q), want %q visible with role alert",
					st.Error, st.ErrorVisible, st.ErrorRole, tt.want.badPassword)
			}
			if st.Secret != "" {
				t.Errorf("password field kept %q, want it empty", st.Secret)
			}
			if st.User != brokertest.AgentIDNumber {
				t.Errorf("login field %q, want %q kept", st.User, brokertest.AgentIDNumber)
			}
			if st.AuthRequestID != before.AuthRequestID {
				t.Errorf("auth request %q after the error, was %q", st.AuthRequestID, before.AuthRequestID)
			}
			if sent := c.sentToRP(); len(sent) > 0 {
				t.Fatalf("a wrong password sent the browser to the relying party: %q", sent)
			}

			// The kept login stays; type the right password on the error page.
			c.do("log in after the error",
				chromedp.SendKeys(chromedp.ID("secret"), brokertest.AgentPassword),
				chromedp.Click(chromedp.ID("submit")))
			redeem(t, rp, f, c.waitRP("log in after the error"))
		})
	}
}

// TestChromiumLanguageSwitch: the header link switches the language of the
// same auth request, which can then be completed.
func TestChromiumLanguageSwitch(t *testing.T) {
	tests := []struct {
		name      string
		uiLocales string
		from, to  texts
		user      string
		// afterError switches on the page a wrong password re-rendered (the
		// answer to the form's POST, whose URL has no ?id=).
		afterError bool
	}{
		{name: "zh-CN to en", from: zhTexts, to: enTexts, user: brokertest.AgentMobile},
		{name: "en to zh-CN", uiLocales: "en", from: enTexts, to: zhTexts, user: brokertest.AgentIDNumber},
		{name: "zh-CN to en after a wrong password", from: zhTexts, to: enTexts, user: brokertest.AgentIDNumber, afterError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rp, f, c := openLogin(t, tt.uiLocales, "fr-FR,fr;q=0.9")
			before := c.state()
			checkPage(t, before, tt.from)
			if tt.afterError {
				if _, err := chromedp.RunResponse(c.ctx,
					chromedp.SendKeys(chromedp.ID("user"), brokertest.AgentIDNumber),
					chromedp.SendKeys(chromedp.ID("secret"), "000000"),
					chromedp.Click(chromedp.ID("submit"))); err != nil {
					t.Fatalf("submit a wrong password: %v", err)
				}
				if st := c.state(); st.Error != tt.from.badPassword {
					t.Fatalf("error box %q, want %q", st.Error, tt.from.badPassword)
				}
			}

			if _, err := chromedp.Run(c.ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
				chromedp.Click(chromedp.ID("lang-switch")))); err != nil {
				t.Fatalf("click the language switch: %v", err)
			}
			after := c.state()
			if after.AuthRequestID == "" {
				t.Fatalf("the language switch led to %s (lang %q) showing %q, not the login page of the auth request",
					after.URL, after.Lang, after.Error)
			}
			checkPage(t, after, tt.to)
			if after.AuthRequestID != before.AuthRequestID {
				t.Errorf("auth request %q after the switch, was %q", after.AuthRequestID, before.AuthRequestID)
			}
			if a, err := url.Parse(after.Action); err != nil || a.Query().Get("lang") != tt.to.lang {
				t.Errorf("form action %q does not keep lang=%s", after.Action, tt.to.lang)
			}

			c.login(tt.user, brokertest.AgentPassword)
			redeem(t, rp, f, c.waitRP("log in after the switch"))
		})
	}
}

// header returns a response header by case-insensitive name.
func header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// TestChromiumSecurityHeaders checks the headers of the login page as
// Chromium received them, that the page loads without a console error or
// CSP violation, and that Chromium refuses to show it in a frame.
func TestChromiumSecurityHeaders(t *testing.T) {
	t.Parallel()
	rp, _, c := openLogin(t, "", "")
	st := c.state()
	if st.HeaderColor != headerColor {
		t.Errorf("header background %q, want %q: is /static/gjjid.css applied?", st.HeaderColor, headerColor)
	}

	doc := c.response(network.ResourceTypeDocument, "/login/password")
	if doc == nil {
		t.Fatalf("Chromium received no document /login/password (page %s)", st.URL)
	}
	if doc.Status != http.StatusOK {
		t.Errorf("login page status %d", doc.Status)
	}
	csp := header(doc.Headers, "Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none'", csp)
	}
	for name, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
	} {
		if got := header(doc.Headers, name); got != want {
			t.Errorf("login page %s %q, want %q", name, got, want)
		}
	}
	css := c.response(network.ResourceTypeStylesheet, "/static/gjjid.css")
	if css == nil {
		t.Errorf("Chromium did not load /static/gjjid.css")
	} else if css.Status != http.StatusOK || css.MimeType != "text/css" || header(css.Headers, "X-Content-Type-Options") != "nosniff" {
		t.Errorf("stylesheet status %d, type %q, X-Content-Type-Options %q", css.Status, css.MimeType,
			header(css.Headers, "X-Content-Type-Options"))
	}

	// Let late reports arrive: Chromium asks for /favicon.ico after the
	// load, and reports CSP violations asynchronously.
	c.waitFor(2*time.Second, func() bool { return slices.ContainsFunc(c.allRequests(), hasPath("/favicon.ico")) })
	c.do("settle", chromedp.Sleep(300*time.Millisecond))
	if errs := c.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the login page: %q", errs)
	}

	// The listener does see CSP violations: an image from another origin
	// breaks img-src 'self'.
	n := len(c.consoleErrors())
	c.do("break the CSP", chromedp.Evaluate[chromedp.Void](
		`document.body.insertAdjacentHTML("beforeend", '<img src="http://`+rpHost+`/probe.png">')`))
	if !c.waitError(n, "img-src", 5*time.Second) {
		t.Errorf("an image against the CSP gave no console error, so the check above sees nothing: %q", c.consoleErrors())
	}

	// Chromium refuses to render the login page in a frame of another origin.
	f2 := rp.NewFlow()
	framer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>framer</title><iframe id="login" src="%s"></iframe>`, f2.URL)
	}))
	defer framer.Close()
	n = len(c.consoleErrors())
	c.do("frame the login page", chromedp.Navigate(framer.URL))
	if !c.waitError(n, "frame-ancestors", 5*time.Second) {
		t.Errorf("no frame-ancestors refusal when framing the login page; console: %q", c.consoleErrors()[n:])
	}
}
