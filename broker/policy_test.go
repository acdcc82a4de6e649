package broker_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

func TestACRValuesTooStrongForConnectors(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	loc, err := br.Get(rp.NewFlow(oauth2.SetAuthURLParam("acr_values", "gjj:loa:3")).URL)
	if err != nil || loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, "更高安全级别") {
		t.Fatalf("acr_values=gjj:loa:3 with only a password connector: %v %v %d %.300s", loc, err, br.Last, br.Page)
	}
	// A level the password reaches is fine, and the token says so.
	_, _, claims := login(t, b, rp, bt.NewBrowser(t), oauth2.SetAuthURLParam("acr_values", "gjj:loa:1"))
	if claims["acr"] != "gjj:loa:1" {
		t.Errorf("acr = %v", claims["acr"])
	}
}

func TestLoginRateLimitPerIP(t *testing.T) {
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) { c.Login.IPRateLimit = 3 }})
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	if _, err := br.Get(rp.NewFlow().URL); err != nil {
		t.Fatal(err)
	}
	// The limit counts per clock minute (fixed windows): the four attempts
	// must fall in one, so start them well clear of a minute's end.
	if left := time.Until(time.Now().Truncate(time.Minute).Add(time.Minute)); left < 15*time.Second {
		time.Sleep(left)
	}
	// Different (unknown) accounts, so the per-account lockout plays no part.
	users := []string{"11010519491231002X", "13900139999", "13700137000", bt.AgentIDNumber}
	for i, u := range users {
		pw := "135790"
		if u == bt.AgentIDNumber {
			pw = bt.AgentPassword // even the right password is refused now
		}
		loc, err := br.SubmitPassword(b.URL, u, pw)
		want := http.StatusForbidden
		if i == 3 {
			want = http.StatusTooManyRequests
		}
		if err != nil || loc != nil || br.Last != want || !strings.Contains(br.Page, `id="error"`) {
			t.Fatalf("attempt %d: %v %v status %d, want %d", i+1, loc, err, br.Last, want)
		}
	}
}

func TestClientSecretPost(t *testing.T) {
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) { c.Clients[0].AuthMethod = "client_secret_post" }})
	rp := bt.NewRP(t, b.URL)
	rp.OAuth2.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
	if tok.AccessToken == "" {
		t.Fatal("no access token")
	}
	if _, err := rp.OAuth2.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("refresh with client_secret_post: %v", err)
	}
}

// TestMetricsAndMaskedLogs: logins and tokens are counted; logs never carry
// an ID number or mobile in the clear.
func TestMetricsAndMaskedLogs(t *testing.T) {
	var logs bt.LogBuffer
	b := bt.Start(t, bt.Options{Log: &logs})
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	if _, err := br.Get(rp.NewFlow().URL); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{bt.AgentIDNumber, bt.AgentMobile} {
		if _, err := br.SubmitPassword(b.URL, u, "135790"); err != nil {
			t.Fatal(err)
		}
	}
	login(t, b, rp, bt.NewBrowser(t))

	resp, err := http.Get(b.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`gjjid_logins_total{connector="password",result="success"} 1`,
		`gjjid_logins_total{connector="password",result="invalid_credentials"} 2`,
		`gjjid_tokens_total{grant_type="authorization_code",result="success"} 1`,
		`gjjid_http_requests_total{method="GET",route="/authorize",status="302"}`,
		`gjjid_http_request_duration_seconds_bucket{route="/oauth/token"`,
		"gjjid_store_up 1\n",
		"gjjid_signing_key_rotation_period_seconds 2.592e+06\n",
		"gjjid_signing_key_active_since_timestamp_seconds 1.",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	out := logs.String()
	if out == "" {
		t.Fatal("no logs captured")
	}
	for _, raw := range []string{bt.AgentIDNumber, bt.AgentMobile} {
		if strings.Contains(out, raw) {
			t.Errorf("logs contain %s in the clear:\n%s", raw, out)
		}
	}
}

// TestChooserAndIDPHint: with two connectors the login page lists both;
// idp_hint goes straight to one; a client limited to one never sees the
// other.
func TestChooserAndIDPHint(t *testing.T) {
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) {
		second := c.Connectors[0]
		second.ID, second.Name, second.NameEN = "password2", "经办人登录（备用）", "Agent sign-in (spare)"
		c.Connectors = append(c.Connectors, second)
	}})
	rp := bt.NewRP(t, b.URL)

	br := bt.NewBrowser(t)
	if loc, err := br.Get(rp.NewFlow().URL); err != nil || loc != nil {
		t.Fatal(loc, err)
	}
	for _, id := range []string{`id="connector-password"`, `id="connector-password2"`, "经办人登录（备用）"} {
		if !strings.Contains(br.Page, id) {
			t.Errorf("chooser lacks %s", id)
		}
	}

	br = bt.NewBrowser(t)
	f := rp.NewFlow(oauth2.SetAuthURLParam("idp_hint", "password2"))
	loc, err := br.Login(b.URL, f.URL, bt.AgentIDNumber, bt.AgentPassword)
	if err != nil {
		t.Fatal(err)
	}
	code, err := rp.Callback(f, loc)
	if err != nil {
		t.Fatalf("idp_hint login: %v (%.200s)", err, br.Page)
	}
	_, idt, err := rp.Exchange(context.Background(), f, code)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = idt.Claims(&claims)
	if claims["idp"] != "password2" {
		t.Errorf("idp = %v, want password2", claims["idp"])
	}
}

func TestRevokeRefreshTokenRevokesGrant(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
		// Another client cannot revoke it (ignored, RFC 7009 §2.1) ...
		if st, err := bt.Revoke(b.URL, bt.ServiceID, bt.ServiceSecret, tok.RefreshToken, "refresh_token"); err != nil || st != http.StatusOK {
			t.Fatalf("revoke by another client: %d %v", st, err)
		}
		if in, _ := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken); in["active"] != true {
			t.Fatalf("another client's revocation took effect: %v", in)
		}
		// ... its own client can.
		if st, err := bt.Revoke(b.URL, bt.ClientID, bt.ClientSecret, tok.RefreshToken, "refresh_token"); err != nil || st != http.StatusOK {
			t.Fatalf("revoke: %d %v", st, err)
		}
		_, err := rp.OAuth2.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		assertOAuthError(t, err, "invalid_grant")
		if in, _ := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken); in["active"] != false {
			t.Errorf("access token of a revoked grant still active: %v", in)
		}
	})
}

func TestLoginHintPrefillsTheForm(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	if _, err := br.Get(rp.NewFlow(oauth2.SetAuthURLParam("login_hint", bt.AgentMobile)).URL); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, `name="user" value="`+bt.AgentMobile+`"`) {
		t.Fatalf("login_hint not prefilled: %.400s", br.Page)
	}
}

// TestUnitChoice: a person who is agent for two units chooses one after
// login; the choice goes into the tokens and is remembered for the browser
// session; prompt=none before any choice asks for account selection.
func TestUnitChoice(t *testing.T) {
	const (
		unit2   = "91350100M000100Y43"
		idNo    = "11010519491231002X"
		mobile  = "13900139011"
		pass    = "135790"
		unit2Nm = "福州示例有限公司"
	)
	edit := func(c *config.Config) {
		c.Seed.Units = append(c.Seed.Units, config.SeedUnit{ID: unit2, CustomerNo: "350100000001", Name: unit2Nm})
		c.Seed.Persons = append(c.Seed.Persons, config.SeedPerson{Name: "李四", IDType: "resident_id", IDNumber: idNo,
			Mobile: mobile, Password: pass, Units: []string{bt.UnitID, unit2}, Roles: []string{"operator"}})
	}
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		var b *bt.Broker
		if strings.HasSuffix(t.Name(), "redis") {
			b = bt.Start(t, bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t), Edit: edit})
		} else {
			b = bt.Start(t, bt.Options{Edit: edit})
		}
		rp := bt.NewRP(t, b.URL)
		br := bt.NewBrowser(t)
		f := rp.NewFlow()
		loc, err := br.Login(b.URL, f.URL, idNo, pass)
		if err != nil {
			t.Fatal(err)
		}
		if loc != nil || !strings.Contains(br.Page, unit2Nm) || !strings.Contains(br.Page, bt.UnitName) {
			t.Fatalf("want the unit chooser listing both units, got %v %.300s", loc, br.Page)
		}
		action, form, err := br.Form(b.URL)
		if err != nil {
			t.Fatal(err)
		}
		// prompt=none now, in the same browser: the session exists but no
		// unit was chosen (OIDC Core §3.1.2.6).
		other := rp.NewFlow(oauth2.SetAuthURLParam("prompt", "none"))
		l, _ := br.Get(other.URL)
		if l == nil || l.Query().Get("error") != "account_selection_required" {
			t.Fatalf("prompt=none before choosing a unit: %v", l)
		}
		// A unit the person is not agent for is refused.
		form.Set("unit", "91510100MA61ABCD1X")
		if l, _ := br.Post(action, form); l != nil || br.Last != http.StatusBadRequest {
			t.Fatalf("foreign unit accepted: %v %d", l, br.Last)
		}
		action, form, err = br.Form(b.URL)
		if err != nil {
			t.Fatal(err)
		}
		form.Set("unit", unit2)
		loc, err = br.Post(action, form)
		if err != nil {
			t.Fatal(err)
		}
		code, err := rp.Callback(f, loc)
		if err != nil {
			t.Fatalf("after choosing: %v", err)
		}
		_, idt, err := rp.Exchange(context.Background(), f, code)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		_ = idt.Claims(&claims)
		if claims["unit_id"] != unit2 || claims["unit_name"] != unit2Nm || claims["name"] != "李四" {
			t.Fatalf("claims = %v", claims)
		}
		// The choice is remembered: prompt=none in the same browser succeeds.
		f2 := rp.NewFlow(oauth2.SetAuthURLParam("prompt", "none"))
		loc, _ = br.Get(f2.URL)
		if _, err := rp.Callback(f2, loc); err != nil {
			t.Fatalf("prompt=none after the choice: %v", err)
		}
	})
}
