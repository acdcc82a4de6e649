package login_test

// These tests drive the login pages in a real headless Chromium (the Debian
// packages chromium and chromium-driver) through chromedp: the browser
// follows the broker's redirects, keeps its cookies, runs the HTML form
// validation, applies the stylesheet and enforces the security headers,
// which the HTTP-level brokertest.Browser does not.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
)

// chrome is the shared headless Chromium with the login pages' own reads.
type chrome struct{ *chrometest.Chrome }

// startChrome starts a headless Chromium whose requests carry
// acceptLanguage ("" leaves Chromium's own).
func startChrome(t *testing.T, acceptLanguage string) *chrome {
	t.Helper()
	return &chrome{chrometest.Start(t, chrometest.Options{AcceptLanguage: acceptLanguage})}
}

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
	c.Do("open the authorization URL", chromedp.Navigate(f.URL))
	return rp, f, c
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
	c.T.Helper()
	return chrometest.Eval[pageState](c.Chrome, "read the page", pageStateJS)
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

// redeem checks the redirect Chromium tried to follow and redeems its code;
// the ID token must name the agent.
func redeem(t *testing.T, rp *brokertest.RP, f brokertest.Flow, loc *url.URL) {
	t.Helper()
	var claims struct {
		Name string `json:"name"`
	}
	rp.Redeem(t, f, loc, nil, &claims)
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
				c.Screenshot(tt.screenshot)
			}

			c.Login(tt.user, brokertest.AgentPassword)
			redeem(t, rp, f, c.WaitRP("log in"))
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
			resp, err := chromedp.RunResponse(c.Ctx,
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
			if sent := c.SentToRP(); len(sent) > 0 {
				t.Fatalf("a wrong password sent the browser to the relying party: %q", sent)
			}

			// The kept login stays; type the right password on the error page.
			c.Do("log in after the error",
				chromedp.SendKeys(chromedp.ID("secret"), brokertest.AgentPassword),
				chromedp.Click(chromedp.ID("submit")))
			redeem(t, rp, f, c.WaitRP("log in after the error"))
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
				if _, err := chromedp.RunResponse(c.Ctx,
					chromedp.SendKeys(chromedp.ID("user"), brokertest.AgentIDNumber),
					chromedp.SendKeys(chromedp.ID("secret"), "000000"),
					chromedp.Click(chromedp.ID("submit"))); err != nil {
					t.Fatalf("submit a wrong password: %v", err)
				}
				if st := c.state(); st.Error != tt.from.badPassword {
					t.Fatalf("error box %q, want %q", st.Error, tt.from.badPassword)
				}
			}

			if _, err := chromedp.Run(c.Ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
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

			c.Login(tt.user, brokertest.AgentPassword)
			redeem(t, rp, f, c.WaitRP("log in after the switch"))
		})
	}
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

	doc := c.Response(network.ResourceTypeDocument, "/login/password")
	if doc == nil {
		t.Fatalf("Chromium received no document /login/password (page %s)", st.URL)
	}
	if doc.Status != http.StatusOK {
		t.Errorf("login page status %d", doc.Status)
	}
	csp := chrometest.Header(doc.Headers, "Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none'", csp)
	}
	for name, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
	} {
		if got := chrometest.Header(doc.Headers, name); got != want {
			t.Errorf("login page %s %q, want %q", name, got, want)
		}
	}
	css := c.Response(network.ResourceTypeStylesheet, "/static/gjjid.css")
	if css == nil {
		t.Errorf("Chromium did not load /static/gjjid.css")
	} else if css.Status != http.StatusOK || css.MimeType != "text/css" || chrometest.Header(css.Headers, "X-Content-Type-Options") != "nosniff" {
		t.Errorf("stylesheet status %d, type %q, X-Content-Type-Options %q", css.Status, css.MimeType,
			chrometest.Header(css.Headers, "X-Content-Type-Options"))
	}

	// Let late reports arrive: Chromium asks for /favicon.ico after the
	// load, and reports CSP violations asynchronously.
	c.WaitFor(2*time.Second, func() bool { return slices.ContainsFunc(c.AllRequests(), chrometest.HasPath("/favicon.ico")) })
	c.Do("settle", chromedp.Sleep(300*time.Millisecond))
	if errs := c.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the login page: %q", errs)
	}

	// The listener does see CSP violations: an image from another origin
	// breaks img-src 'self'.
	n := len(c.ConsoleErrors())
	c.Do("break the CSP", chromedp.Evaluate[chromedp.Void](
		`document.body.insertAdjacentHTML("beforeend", '<img src="http://`+chrometest.RPHost+`/probe.png">')`))
	if !c.WaitError(n, "img-src", 5*time.Second) {
		t.Errorf("an image against the CSP gave no console error, so the check above sees nothing: %q", c.ConsoleErrors())
	}

	// Chromium refuses to render the login page in a frame of another origin.
	f2 := rp.NewFlow()
	framer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>framer</title><iframe id="login" src="%s"></iframe>`, f2.URL)
	}))
	defer framer.Close()
	n = len(c.ConsoleErrors())
	c.Do("frame the login page", chromedp.Navigate(framer.URL))
	if !c.WaitError(n, "frame-ancestors", 5*time.Second) {
		t.Errorf("no frame-ancestors refusal when framing the login page; console: %q", c.ConsoleErrors()[n:])
	}
}
