package broker_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/appscan"
)

// qrPC is a PC browser on the QR login page of one authorization request.
type qrPC struct {
	t      *testing.T
	issuer string
	br     *bt.Browser
	rp     *bt.RP
	flow   bt.Flow
	// From the page.
	QRID, Content, Events, Poll, Image, Complete string
	Form                                         url.Values
}

var (
	qrAttr = func(name string) *regexp.Regexp { return regexp.MustCompile(name + `="([^"]*)"`) }
	qrID   = qrAttr(`data-qr-id`)
	qrCont = qrAttr(`data-content`)
	qrEvt  = qrAttr(`data-events`)
	qrPoll = qrAttr(`data-poll`)
	qrImg  = regexp.MustCompile(`id="qr-image-link" href="([^"]*)"`)
	qrForm = regexp.MustCompile(`<form id="qr-complete" method="post" action="([^"]*)"`)
	qrHid  = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)
)

// openQR starts an authorization request of the demo client in br and
// opens the appscan page.
func openQR(t *testing.T, b *bt.Broker, br *bt.Browser) *qrPC {
	t.Helper()
	rp := bt.NewRP(t, b.URL)
	f := rp.NewFlow()
	if loc, err := br.Get(f.URL); err != nil || loc != nil {
		t.Fatalf("authorize: %v %v", loc, err)
	}
	p := &qrPC{t: t, issuer: b.URL, br: br, rp: rp, flow: f}
	id := regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(br.Page)
	if !strings.Contains(br.Page, `id="connector-appscan"`) {
		t.Fatalf("the chooser offers no QR login: %.800s", br.Page)
	}
	ar := regexp.MustCompile(`href="/login/appscan\?id=([^"&]+)`).FindStringSubmatch(br.Page)
	if ar == nil {
		t.Fatalf("no appscan button: %.800s %v", br.Page, id)
	}
	p.reload(ar[1])
	return p
}

// reload opens the QR page of authorization request ar (a new QR code).
func (p *qrPC) reload(ar string) {
	p.t.Helper()
	if loc, err := p.br.Get(p.issuer + "/login/appscan?id=" + url.QueryEscape(html.UnescapeString(ar))); err != nil || loc != nil {
		p.t.Fatalf("QR page: %v %v", loc, err)
	}
	p.parse()
}

func (p *qrPC) parse() {
	p.t.Helper()
	get := func(re *regexp.Regexp) string {
		m := re.FindStringSubmatch(p.br.Page)
		if m == nil {
			p.t.Fatalf("QR page (status %d) lacks %s: %.1500s", p.br.Last, re, p.br.Page)
		}
		return html.UnescapeString(m[1])
	}
	p.QRID, p.Content, p.Events, p.Poll, p.Image, p.Complete = get(qrID), get(qrCont), get(qrEvt), get(qrPoll), get(qrImg), get(qrForm)
	p.Form = url.Values{}
	for _, h := range qrHid.FindAllStringSubmatch(p.br.Page, -1) {
		p.Form.Set(h[1], html.UnescapeString(h[2]))
	}
}

// poll long-polls with the state the page knows.
func (p *qrPC) poll(known string) (int, map[string]any) {
	p.t.Helper()
	return getJSON(p.t, p.br.Client, p.issuer+p.Poll+"&state="+known)
}

func getJSON(t *testing.T, c *http.Client, u string) (int, map[string]any) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// complete posts the ticket and follows the broker's redirects to the
// relying party; it returns the redirect (nil when the broker answered a
// page).
func (p *qrPC) complete(ticket string) *url.URL {
	p.t.Helper()
	form := url.Values{}
	for k, v := range p.Form {
		form[k] = v
	}
	form.Set("ticket", ticket)
	loc, err := p.br.Post(p.issuer+p.Complete, form)
	if err != nil {
		p.t.Fatalf("complete: %v", err)
	}
	return loc
}

// redeem exchanges the code of loc with the real RP libraries and returns
// the ID token's claims.
func (p *qrPC) redeem(loc *url.URL) map[string]any {
	p.t.Helper()
	var claims map[string]any
	p.rp.Redeem(p.t, p.flow, loc, p.br, &claims)
	return claims
}

// sse is an open event stream of the QR page.
type sse struct {
	t    *testing.T
	body io.ReadCloser
	r    *bufio.Reader
}

func (p *qrPC) stream() *sse {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.issuer+p.Events, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := p.br.Client.Do(req)
	if err != nil {
		p.t.Fatalf("event stream: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		p.t.Fatalf("event stream: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p.t.Cleanup(func() { resp.Body.Close() })
	return &sse{t: p.t, body: resp.Body, r: bufio.NewReader(resp.Body)}
}

// next returns the next status event (keep-alives skipped), failing after
// 10 s.
func (s *sse) next() map[string]any {
	s.t.Helper()
	type result struct {
		m   map[string]any
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var event string
		for {
			line, err := s.r.ReadString('\n')
			if err != nil {
				ch <- result{err: err}
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "status":
				var m map[string]any
				ch <- result{m: m, err: json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m)}
				return
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			s.t.Fatalf("event stream: %v", r.err)
		}
		return r.m
	case <-time.After(10 * time.Second):
		s.body.Close()
		s.t.Fatal("no status event within 10s")
		return nil
	}
}

// wantState fails unless m is a status of state.
func wantState(t *testing.T, what string, m map[string]any, state string) {
	t.Helper()
	if m["state"] != state {
		t.Fatalf("%s: status %v, want state %s", what, m, state)
	}
}

func wantQRStatus(t *testing.T, what string, got int, body map[string]any, want int, code string) {
	t.Helper()
	if got != want || (code != "" && body["error"] != code) {
		t.Fatalf("%s: %d %v, want %d %s", what, got, body, want, code)
	}
}

// qrBroker starts a broker with QR login (extra appscan config) on the
// memory store.
func qrBroker(t *testing.T, extra string) *bt.Broker {
	t.Helper()
	return bt.Start(t, bt.Options{Edit: bt.WithAppScan(extra)})
}

// checkQRLogin checks the ID token of a QR login by the demo agent after a
// password login in the app: amr carries the app's methods plus qr, acr
// stays the app session's (a password login: gjj:loa:1, below the
// connector's gjj:loa:2).
func checkQRLogin(t *testing.T, claims map[string]any, name string) {
	t.Helper()
	amr, _ := claims["amr"].([]any)
	if claims["name"] != name || !slices.Contains(amr, any("pwd")) || !slices.Contains(amr, any(appscan.AMR)) ||
		claims["acr"] != "gjj:loa:1" || claims["idp"] != bt.AppScanID {
		t.Fatalf("ID token claims %v: want name %s, amr [pwd qr], acr gjj:loa:1, idp %s", claims, name, bt.AppScanID)
	}
}

// TestQRLoginAcrossInstances: the app talks to one broker instance, the
// browser waits (Server-Sent Events) on another; both share one Redis, whose
// pub/sub carries the app's steps to the waiting page at once.
func TestQRLoginAcrossInstances(t *testing.T) {
	t.Parallel()
	u, prefix := redistest.URL(t), redistest.Prefix(t)
	o := bt.Options{RedisURL: u, KeyPrefix: prefix, Edit: bt.WithAppScan("")}
	appSide, browserSide := bt.Start(t, o), bt.Start(t, o)
	app := bt.AppLogin(t, appSide.URL, bt.AgentIDNumber, bt.AgentPassword)

	pc := openQR(t, browserSide, bt.NewBrowser(t))
	if !strings.HasPrefix(pc.Content, appscan.DefaultDeepLinkPrefix) || strings.TrimPrefix(pc.Content, appscan.DefaultDeepLinkPrefix) != pc.QRID || len(pc.QRID) < 26 {
		t.Fatalf("QR content %q for session %q: want the deep-link prefix and an opaque ID of 26+ characters", pc.Content, pc.QRID)
	}
	ev := pc.stream()
	wantState(t, "first event", ev.next(), "waiting")

	code, scan := app.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "scan", code, scan, http.StatusOK, "")
	browser, _ := scan["browser"].(map[string]any)
	if scan["client_id"] != bt.ClientID || scan["client_name"] != "示例业务系统" || browser["ip"] != "127.0.0.1" ||
		!strings.Contains(browser["user_agent"].(string), "Go-http-client") || scan["requested_at"] == nil || scan["expires_at"] == nil {
		t.Fatalf("scan shows %v: want the client's name, the browser's IP and user agent and the times", scan)
	}
	st := ev.next()
	wantState(t, "after the scan", st, "scanned")
	if st["name"] != "张*" || st["ticket"] != nil {
		t.Fatalf("after the scan the page shows %v, want the masked name 张* and no ticket", st)
	}
	code, body := app.Call(t, pc.QRID, "confirm", nil)
	wantQRStatus(t, "confirm", code, body, http.StatusOK, "")
	st = ev.next()
	wantState(t, "after the confirmation", st, "confirmed")
	ticket, _ := st["ticket"].(string)
	if len(ticket) < 40 {
		t.Fatalf("confirmed without a login ticket: %v", st)
	}
	loc := pc.complete(ticket)
	checkQRLogin(t, pc.redeem(loc), bt.AgentName)

	// The session is consumed: the ticket does not work twice.
	if loc := pc.complete(ticket); loc != nil && loc.Query().Get("code") != "" {
		t.Fatalf("a ticket redeemed twice: %v", loc)
	}
	// The login removed the poll secret from the browser.
	code, st = pc.poll("")
	wantQRStatus(t, "poll after the login", code, st, http.StatusNotFound, "not_found")
}

// TestQRLoginLongPoll: the same flow with long polls, the fallback of pages
// whose event stream fails; a poll answers at once when the page is behind
// and otherwise waits for the change.
func TestQRLoginLongPoll(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "")
	app := bt.AppLogin(t, b.URL, bt.AgentMobile, bt.AgentPassword)
	pc := openQR(t, b, bt.NewBrowser(t))

	code, st := pc.poll("")
	wantQRStatus(t, "poll of a page that knows nothing", code, st, http.StatusOK, "")
	wantState(t, "first poll", st, "waiting")
	if n, _ := st["expires_in"].(float64); n < 100 || n > 120 {
		t.Fatalf("expires_in %v, want about 120", st["expires_in"])
	}
	type answer struct {
		code int
		st   map[string]any
		at   time.Time
	}
	waiting := make(chan answer, 1)
	go func() {
		c, m := pc.poll("waiting")
		waiting <- answer{c, m, time.Now()}
	}()
	time.Sleep(300 * time.Millisecond) // the poll is waiting
	scannedAt := time.Now()
	if code, body := app.Call(t, pc.QRID, "scan", nil); code != http.StatusOK {
		t.Fatalf("scan: %d %v", code, body)
	}
	a := <-waiting
	wantState(t, "the waiting poll", a.st, "scanned")
	if a.at.Before(scannedAt) || a.st["name"] != "张*" {
		t.Fatalf("the poll answered %v at %v, before the scan at %v", a.st, a.at, scannedAt)
	}
	if code, body := app.Call(t, pc.QRID, "confirm", nil); code != http.StatusOK {
		t.Fatalf("confirm: %d %v", code, body)
	}
	_, st = pc.poll("scanned")
	wantState(t, "poll after the confirmation", st, "confirmed")
	loc := pc.complete(st["ticket"].(string))
	checkQRLogin(t, pc.redeem(loc), bt.AgentName)
}

// TestQRExpiry: an unscanned code expires; the page learns it, the app is
// told 410, the completion fails, and a new code can be had.
func TestQRExpiry(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "lifetime: 1s\n")
	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	pc := openQR(t, b, bt.NewBrowser(t))
	ev := pc.stream()
	wantState(t, "first event", ev.next(), "waiting")
	start := time.Now()
	code, st := pc.poll("waiting") // held until the expiry
	wantQRStatus(t, "long poll", code, st, http.StatusOK, "")
	wantState(t, "long poll over the expiry", st, "expired")
	if time.Since(start) > 5*time.Second {
		t.Fatalf("the expiry reached the poll after %v", time.Since(start))
	}
	wantState(t, "event stream over the expiry", ev.next(), "expired")
	code, body := app.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "scan after the expiry", code, body, http.StatusGone, "expired")
	if loc := pc.complete("forged"); loc != nil {
		t.Fatalf("an expired session completed: %v", loc)
	}
	if !strings.Contains(pc.br.Page, "二维码已过期") || !strings.Contains(pc.br.Page, `id="qr-refresh"`) {
		t.Fatalf("the failed completion does not say the code expired: %.800s", pc.br.Page)
	}
	// The page the failure showed carries a fresh code.
	old := pc.QRID
	pc.parse()
	if pc.QRID == old {
		t.Fatal("no new QR code after the expiry")
	}
}

// TestQRCancel: the app user refuses; the page shows it, nothing can be
// confirmed or redeemed afterwards.
func TestQRCancel(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "")
	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	pc := openQR(t, b, bt.NewBrowser(t))
	ev := pc.stream()
	wantState(t, "first event", ev.next(), "waiting")
	if code, body := app.Call(t, pc.QRID, "scan", nil); code != http.StatusOK {
		t.Fatalf("scan: %d %v", code, body)
	}
	wantState(t, "after the scan", ev.next(), "scanned")
	code, body := app.Call(t, pc.QRID, "cancel", nil)
	wantQRStatus(t, "cancel", code, body, http.StatusOK, "")
	wantState(t, "after the cancel", ev.next(), "cancelled")
	code, body = app.Call(t, pc.QRID, "confirm", nil)
	wantQRStatus(t, "confirm after cancel", code, body, http.StatusConflict, "wrong_state")
	_, st := pc.poll("")
	if st["state"] != "cancelled" || st["ticket"] != nil {
		t.Fatalf("poll after cancel: %v", st)
	}
	if loc := pc.complete("anything"); loc != nil {
		t.Fatalf("a cancelled session completed: %v", loc)
	}
}

// TestQRConfirmRules: confirm needs a scan, only the app session that
// scanned may confirm or cancel, and confirm works once.
func TestQRConfirmRules(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "")
	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	other := bt.AppLogin(t, b.URL, bt.Agent2IDNumber, bt.Agent2Password)
	pc := openQR(t, b, bt.NewBrowser(t))

	code, body := app.Call(t, pc.QRID, "confirm", nil)
	wantQRStatus(t, "confirm without a scan", code, body, http.StatusConflict, "not_scanned")
	code, body = app.Call(t, pc.QRID, "cancel", nil)
	wantQRStatus(t, "cancel without a scan", code, body, http.StatusConflict, "not_scanned")
	if code, body = app.Call(t, pc.QRID, "scan", nil); code != http.StatusOK {
		t.Fatalf("scan: %d %v", code, body)
	}
	code, body = app.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "the same app session scans again", code, body, http.StatusOK, "")
	code, body = other.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "another app user scans", code, body, http.StatusForbidden, "access_denied")
	code, body = other.Call(t, pc.QRID, "confirm", nil)
	wantQRStatus(t, "another app user confirms", code, body, http.StatusForbidden, "access_denied")
	code, body = other.Call(t, pc.QRID, "cancel", nil)
	wantQRStatus(t, "another app user cancels", code, body, http.StatusForbidden, "access_denied")
	_, st := pc.poll("")
	if st["state"] != "scanned" || st["name"] != "张*" {
		t.Fatalf("after the refused steps the page shows %v, want scanned by 张*", st)
	}
	code, body = app.Call(t, pc.QRID, "confirm", nil)
	wantQRStatus(t, "confirm", code, body, http.StatusOK, "")
	code, body = app.Call(t, pc.QRID, "confirm", nil)
	wantQRStatus(t, "confirm twice", code, body, http.StatusConflict, "wrong_state")
	code, body = other.Call(t, pc.QRID, "confirm", nil)
	wantQRStatus(t, "another app user confirms a confirmed code", code, body, http.StatusForbidden, "access_denied")
	_, st = pc.poll("")
	loc := pc.complete(st["ticket"].(string))
	claims := pc.redeem(loc)
	checkQRLogin(t, claims, bt.AgentName)

	// Every confirm, allowed or refused, is in the audit trail: who, for
	// which relying party and browser, and why a refusal.
	var events listPage[map[string]any]
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, "GET", "/admin/v1/audit?type=qr.confirm", nil, &events)
	type step struct{ outcome, reason, by string }
	want := []step{{"denied", "not_scanned", "app"}, {"denied", "access_denied", "other"}, {"success", "", "app"},
		{"denied", "wrong_state", "app"}, {"denied", "access_denied", "other"}}
	var got []step
	for _, e := range events.Items {
		by := "other"
		if e["principal"] == claims["sub"] {
			by = "app"
		}
		reason, _ := e["reason"].(string)
		got = append(got, step{e["outcome"].(string), reason, by})
		after, _ := e["after"].(map[string]any)
		if e["actor"] != "person:"+e["principal"].(string) || e["connector"] != bt.AppScanID || e["client"] != bt.ClientID ||
			e["ip"] != "127.0.0.1" || after["browser_ip"] != "127.0.0.1" || after["app_client"] == nil {
			t.Errorf("audited confirm %v", e)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("confirms audited %v, want %v", got, want)
	}
}

// TestQRPollNeedsTheSecret: the QR code is on screen; its ID alone (a
// relayed code, another browser) gets no status, image, stream or login.
func TestQRPollNeedsTheSecret(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "")
	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	pc := openQR(t, b, bt.NewBrowser(t))
	if code, body := app.Call(t, pc.QRID, "scan", nil); code != http.StatusOK {
		t.Fatalf("scan: %d %v", code, body)
	}
	stranger := &http.Client{Timeout: 10 * time.Second}
	for _, path := range []string{pc.Poll, pc.Events, pc.Image} {
		code, body := getJSON(t, stranger, b.URL+path)
		wantQRStatus(t, "without the poll secret: "+path, code, body, http.StatusNotFound, "not_found")
		req, _ := http.NewRequest(http.MethodGet, b.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "gjjid_qr", Value: strings.Repeat("A", 43)})
		resp, err := stranger.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("with a forged poll secret: %s answered %d", path, resp.StatusCode)
		}
	}
	// The owner still sees everything, the image included.
	resp, err := pc.br.Client.Get(b.URL + pc.Image)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the owner's image: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	_, st := pc.poll("")
	wantState(t, "the owner's poll", st, "scanned")
}

// TestQRRelayedToAnotherBrowser: a QR ID relayed to another browser (its
// own authorization request, its own page) neither completes there nor
// spoils the login of the browser it belongs to.
func TestQRRelayedToAnotherBrowser(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "")
	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	victim := openQR(t, b, bt.NewBrowser(t))
	attacker := openQR(t, b, bt.NewBrowser(t))
	if code, body := app.Call(t, victim.QRID, "scan", nil); code != http.StatusOK {
		t.Fatalf("scan: %d %v", code, body)
	}
	if code, body := app.Call(t, victim.QRID, "confirm", nil); code != http.StatusOK {
		t.Fatalf("confirm: %d %v", code, body)
	}
	// The attacker aims its own completion form at the victim's session.
	attacker.Complete = strings.Replace(attacker.Complete, attacker.QRID, victim.QRID, 1)
	if loc := attacker.complete("guess"); loc != nil && loc.Query().Get("code") != "" {
		t.Fatalf("the relayed session completed in another browser: %v", loc)
	}
	code, _ := getJSON(t, attacker.br.Client, b.URL+victim.Poll)
	if code != http.StatusNotFound {
		t.Fatalf("the other browser polled the relayed session: %d", code)
	}
	// The victim's browser completes normally.
	_, st := victim.poll("")
	wantState(t, "the owner's poll", st, "confirmed")
	checkQRLogin(t, victim.redeem(victim.complete(st["ticket"].(string))), bt.AgentName)
}

// TestQRAppAPIAuthentication: only the app's own access tokens are
// accepted; errors are JSON with a Bearer challenge on 401.
func TestQRAppAPIAuthentication(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "")
	pc := openQR(t, b, bt.NewBrowser(t))
	noToken := &bt.App{Issuer: b.URL, HTTP: http.DefaultClient}
	code, body := noToken.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "no token", code, body, http.StatusUnauthorized, "invalid_token")
	garbage := &bt.App{Issuer: b.URL, Token: "not-a-token", HTTP: http.DefaultClient}
	code, body = garbage.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "garbage token", code, body, http.StatusUnauthorized, "invalid_token")

	// A relying party's token of the same user must not confirm logins.
	rp := bt.NewRP(t, b.URL)
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t), oauth2.SetAuthURLParam("idp_hint", "password"))
	rpToken := &bt.App{Issuer: b.URL, Token: tok.AccessToken, HTTP: http.DefaultClient}
	code, body = rpToken.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "a relying party's token", code, body, http.StatusUnauthorized, "invalid_token")

	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	code, body = app.Call(t, "NOSUCHQRCODE234567ABCDEFGH", "scan", nil)
	wantQRStatus(t, "unknown QR code", code, body, http.StatusNotFound, "not_found")
	code, body = app.Post(t, "/api/v1/qr/nothing/here/at/all", "", nil)
	wantQRStatus(t, "unknown endpoint", code, body, http.StatusNotFound, "not_found")

	// The app with DPoP (RFC 9449): its bound token scans with a proof of
	// its key, and is refused as a bearer token or with another key.
	key := bt.NewProver(t)
	bound := bt.AppLoginDPoP(t, b.URL, bt.AgentIDNumber, bt.AgentPassword, key)
	code, body = bound.Call(t, pc.QRID, "scan", nil)
	if code != http.StatusOK {
		t.Fatalf("DPoP-bound app scan: %d %v", code, body)
	}
	asBearer := &bt.App{Issuer: b.URL, Token: bound.Token, HTTP: http.DefaultClient}
	code, body = asBearer.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "a DPoP-bound token as bearer", code, body, http.StatusUnauthorized, "invalid_token")
	thief := &bt.App{Issuer: b.URL, Token: bound.Token, Prover: bt.NewProver(t), HTTP: bt.DPoPClient(bt.NewProver(t))}
	code, body = thief.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "a DPoP-bound token with another key's proof", code, body, http.StatusUnauthorized, "invalid_dpop_proof")
}

// TestQRDeviceSignature: with require_device_signature, QR steps must be
// signed by a device key the same person registered, with a fresh nonce.
func TestQRDeviceSignature(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "require_device_signature: true\n")
	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	other := bt.AppLogin(t, b.URL, bt.Agent2IDNumber, bt.Agent2Password)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	spki, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	kid := appscan.DeviceKeyID(spki)
	sign := func(k *ecdsa.PrivateKey, qr, action, nonce string, at time.Time) map[string]string {
		h := sha256.Sum256(appscan.SignedMessage(qr, action, nonce, at.Unix()))
		sig, _ := ecdsa.SignASN1(rand.Reader, k, h[:])
		return map[string]string{"Gjjid-Device-Key": kid, "Gjjid-Device-Nonce": nonce,
			"Gjjid-Device-Time": strconv.FormatInt(at.Unix(), 10), "Gjjid-Device-Signature": base64.StdEncoding.EncodeToString(sig)}
	}

	// Registration proves possession of the key: knowing a public key is
	// not enough to register it.
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	register := `{"public_key":"` + base64.StdEncoding.EncodeToString(spki) + `"}`
	code, body := app.Post(t, "/api/v1/qr/devices", register, nil)
	wantQRStatus(t, "unsigned registration", code, body, http.StatusForbidden, "invalid_signature")
	code, body = other.Post(t, "/api/v1/qr/devices", register, sign(stranger, "", "register", "nonce-reg-stranger", time.Now()))
	wantQRStatus(t, "registration signed by another key", code, body, http.StatusForbidden, "invalid_signature")
	code, body = app.Post(t, "/api/v1/qr/devices", register, sign(key, "", "scan", "nonce-reg-action-1", time.Now()))
	wantQRStatus(t, "registration signed for another action", code, body, http.StatusForbidden, "invalid_signature")
	code, reg := app.Post(t, "/api/v1/qr/devices", register, sign(key, "", "register", "nonce-register-001", time.Now()))
	wantQRStatus(t, "register the device key", code, reg, http.StatusCreated, "")
	if reg["device_key_id"] != kid {
		t.Fatalf("device key ID %v, want %q", reg["device_key_id"], kid)
	}
	code, body = other.Post(t, "/api/v1/qr/devices", register, sign(key, "", "register", "nonce-register-002", time.Now()))
	wantQRStatus(t, "another person registers the same key", code, body, http.StatusConflict, "conflict")

	pc := openQR(t, b, bt.NewBrowser(t))
	code, body = app.Call(t, pc.QRID, "scan", nil)
	wantQRStatus(t, "unsigned scan", code, body, http.StatusForbidden, "device_signature_required")
	code, body = app.Call(t, pc.QRID, "scan", sign(stranger, pc.QRID, "scan", "nonce-stranger-0001", time.Now()))
	wantQRStatus(t, "signed by another key", code, body, http.StatusForbidden, "invalid_signature")
	code, body = app.Call(t, pc.QRID, "scan", sign(key, pc.QRID, "confirm", "nonce-action-00001", time.Now()))
	wantQRStatus(t, "signature for another action", code, body, http.StatusForbidden, "invalid_signature")
	code, body = app.Call(t, pc.QRID, "scan", sign(key, pc.QRID, "scan", "nonce-stale-000001", time.Now().Add(-5*time.Minute)))
	wantQRStatus(t, "stale signature", code, body, http.StatusForbidden, "invalid_signature")
	code, body = other.Call(t, pc.QRID, "scan", sign(key, pc.QRID, "scan", "nonce-other-000001", time.Now()))
	wantQRStatus(t, "another person's key", code, body, http.StatusForbidden, "unknown_device_key")
	signed := sign(key, pc.QRID, "scan", "nonce-scan-0000001", time.Now())
	code, body = app.Call(t, pc.QRID, "scan", signed)
	wantQRStatus(t, "signed scan", code, body, http.StatusOK, "")
	code, body = app.Call(t, pc.QRID, "scan", signed)
	wantQRStatus(t, "replayed signature", code, body, http.StatusForbidden, "invalid_signature")
	code, body = app.Call(t, pc.QRID, "confirm", sign(key, pc.QRID, "confirm", "nonce-confirm-0001", time.Now()))
	wantQRStatus(t, "signed confirm", code, body, http.StatusOK, "")
	_, st := pc.poll("")
	checkQRLogin(t, pc.redeem(pc.complete(st["ticket"].(string))), bt.AgentName)

	// The app forgets its key (a phone given away): only its own person
	// may delete it, and from then on nothing it signs is accepted.
	code, body = other.Do(t, http.MethodDelete, "/api/v1/qr/devices/"+kid, "", nil)
	wantQRStatus(t, "another person deletes the key", code, body, http.StatusNotFound, "not_found")
	code, body = app.Do(t, http.MethodDelete, "/api/v1/qr/devices/"+kid, "", nil)
	wantQRStatus(t, "delete the key", code, body, http.StatusNoContent, "")
	code, body = app.Do(t, http.MethodDelete, "/api/v1/qr/devices/"+kid, "", nil)
	wantQRStatus(t, "delete it again", code, body, http.StatusNotFound, "not_found")
	pc = openQR(t, b, bt.NewBrowser(t))
	code, body = app.Call(t, pc.QRID, "scan", sign(key, pc.QRID, "scan", "nonce-deleted-0001", time.Now()))
	wantQRStatus(t, "scan signed by the deleted key", code, body, http.StatusForbidden, "unknown_device_key")

	var events listPage[map[string]any]
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, "GET", "/admin/v1/audit?type=qr.device.", nil, &events)
	var got []string
	for _, e := range events.Items {
		after, _ := e["after"].(map[string]any)
		if after["device_key"] != kid {
			t.Errorf("device event %v", e)
		}
		got = append(got, e["type"].(string)+" "+e["outcome"].(string))
	}
	want := []string{"qr.device.register denied", "qr.device.register denied", "qr.device.register denied", "qr.device.register success",
		"qr.device.register denied", "qr.device.delete denied", "qr.device.delete success", "qr.device.delete denied"}
	if !slices.Equal(got, want) {
		t.Fatalf("device key events audited %v, want %v", got, want)
	}
}

// TestQRLimits: QR codes per IP and per authorization request, and polls
// per code, are bounded.
func TestQRLimits(t *testing.T) {
	t.Parallel()
	t.Run("per authorization request and polls", func(t *testing.T) {
		t.Parallel()
		b := qrBroker(t, "request_create_limit: 2\nmax_polls: 2\n")
		pc := openQR(t, b, bt.NewBrowser(t)) // the first code
		for range 2 {
			if code, _ := pc.poll(""); code != http.StatusOK {
				t.Fatalf("poll within the limit: %d", code)
			}
		}
		code, body := pc.poll("")
		wantQRStatus(t, "poll past max_polls", code, body, http.StatusTooManyRequests, "rate_limited")
		ar := pc.Form.Get("id")
		pc.reload(ar) // the second code
		if _, err := pc.br.Get(b.URL + "/login/appscan?id=" + url.QueryEscape(ar)); err != nil {
			t.Fatal(err)
		}
		if pc.br.Last != http.StatusTooManyRequests || strings.Contains(pc.br.Page, "data-qr-id") {
			t.Fatalf("third code of one request: status %d: %.500s", pc.br.Last, pc.br.Page)
		}
	})
	t.Run("per IP", func(t *testing.T) {
		t.Parallel()
		b := qrBroker(t, "ip_create_limit: 2\n")
		openQR(t, b, bt.NewBrowser(t))
		openQR(t, b, bt.NewBrowser(t))
		br := bt.NewBrowser(t)
		rp := bt.NewRP(t, b.URL)
		if _, err := br.Get(rp.NewFlow().URL); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`href="(/login/appscan\?id=[^"]+)"`).FindStringSubmatch(br.Page)
		if m == nil {
			t.Fatal("no appscan button")
		}
		if _, err := br.Get(b.URL + html.UnescapeString(m[1])); err != nil {
			t.Fatal(err)
		}
		if br.Last != http.StatusTooManyRequests || !strings.Contains(br.Page, "过于频繁") {
			t.Fatalf("third code from one IP within a minute: status %d: %.500s", br.Last, br.Page)
		}
	})
}

// TestQRUnitChoice: an agent of two units chooses the unit after the QR
// login, as after any other.
func TestQRUnitChoice(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		bt.WithAppScan("")(c)
		c.Seed.Persons[0].Units = []string{bt.UnitID, bt.Unit2ID}
	}})
	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	pc := openQR(t, b, bt.NewBrowser(t))
	app.Call(t, pc.QRID, "scan", nil)
	app.Call(t, pc.QRID, "confirm", nil)
	_, st := pc.poll("")
	if loc := pc.complete(st["ticket"].(string)); loc != nil {
		t.Fatalf("went to %v before the unit choice", loc)
	}
	if !strings.Contains(pc.br.Page, bt.Unit2Name) || !strings.Contains(pc.br.Page, bt.UnitName) {
		t.Fatalf("no unit choice after the QR login: %.800s", pc.br.Page)
	}
	action := regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindStringSubmatch(pc.br.Page)
	if action == nil {
		t.Fatalf("no unit form: %.500s", pc.br.Page)
	}
	form := url.Values{}
	for _, h := range qrHid.FindAllStringSubmatch(pc.br.Page, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	form.Set("unit", bt.Unit2ID)
	loc, err := pc.br.Post(b.URL+html.UnescapeString(action[1]), form)
	if err != nil {
		t.Fatal(err)
	}
	claims := pc.redeem(loc)
	if claims["unit_id"] != bt.Unit2ID {
		t.Fatalf("unit_id %v, want %s", claims["unit_id"], bt.Unit2ID)
	}
	checkQRLogin(t, claims, bt.AgentName)
}

// TestQRDevAppPage: the simulated app of `gjjid dev` lists the code and
// scans and confirms it as the demo agent.
func TestQRDevAppPage(t *testing.T) {
	t.Parallel()
	b := qrBroker(t, "dev_app_page: true\ndev_app_user: \""+bt.AgentMobile+"\"\n")
	pc := openQR(t, b, bt.NewBrowser(t))
	dev := bt.NewBrowser(t)
	if _, err := dev.Get(b.URL + "/dev/app"); err != nil || dev.Last != http.StatusOK {
		t.Fatalf("dev page: %v %d", err, dev.Last)
	}
	if !strings.Contains(dev.Page, `data-qr="`+pc.QRID+`"`) || !strings.Contains(dev.Page, "张*") {
		t.Fatalf("the dev page does not list the code as the demo agent: %.1500s", dev.Page)
	}
	for _, action := range []string{"scan", "confirm"} {
		if _, err := dev.Post(b.URL+"/dev/app/"+action, url.Values{"qr": {pc.QRID}}); err != nil || dev.Last != http.StatusOK {
			t.Fatalf("dev %s: %v %d", action, err, dev.Last)
		}
		if !strings.Contains(dev.Page, action+" "+pc.QRID[:6]+"…: ok") {
			t.Fatalf("dev %s: %.1200s", action, dev.Page)
		}
	}
	_, st := pc.poll("")
	wantState(t, "after the dev page confirmed", st, "confirmed")
	claims := pc.redeem(pc.complete(st["ticket"].(string)))
	if claims["name"] != bt.AgentName {
		t.Fatalf("claims %v", claims)
	}
	// Without dev_app_page there is no such page.
	plain := qrBroker(t, "")
	resp, err := http.Get(plain.URL + "/dev/app")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("/dev/app without dev_app_page: %d", resp.StatusCode)
	}
}
