package appscan

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/gjjid/gjjid/connectors"
)

func start(t *testing.T, c *Connector, ar string, acrValues ...string) connectors.Challenge {
	t.Helper()
	ch, err := c.Start(t.Context(), connectors.CrossDeviceRequest{AuthRequestID: ar, ClientID: "portal", ACRValues: acrValues,
		RemoteIP: "203.0.113.7", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return ch
}

// call sends an app API request with token.
func call(t *testing.T, c *Connector, token, qrID, action string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, apiPrefix+qrID+"/"+action, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	c.Handler().ServeHTTP(rec, req)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m
}

func wantCode(t *testing.T, what string, code int, body map[string]any, want int, errCode string) {
	t.Helper()
	if code != want || (errCode != "" && body["error"] != errCode) {
		t.Fatalf("%s: %d %v, want %d %s", what, code, body, want, errCode)
	}
}

func loginError(t *testing.T, what string, err error, code string) {
	t.Helper()
	le, ok := connectors.AsLoginError(err)
	if !ok || le.Code != code {
		t.Fatalf("%s: error %v, want a login error %s", what, err, code)
	}
}

// TestStartRecordsNoUserData: the QR code is the prefix and an opaque ID;
// the store keeps the poll secret only as a hash.
func TestStartRecordsNoUserData(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "")
	ch := start(t, c, "ar-1")
	if ch.Content != DefaultDeepLinkPrefix+ch.ID || len(ch.ID) < 26 || len(ch.PollSecret) < 43 {
		t.Fatalf("challenge %+v", ch)
	}
	s, err := f.GetQR(t.Context(), ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.State != connectors.CrossDeviceWaiting || s.PollHash == ch.PollSecret || strings.Contains(string(s.Data), ch.PollSecret) ||
		s.PollHash != hashSecret("poll", ch.PollSecret) {
		t.Fatalf("stored session %+v", s)
	}
	for _, k := range f.Keys() {
		if strings.Contains(k, "203.0.113.7") {
			t.Fatalf("a counter is named by the IP address: %s", k)
		}
	}
}

// TestQRImageEncodesTheContent reads the PNGs back with an independent
// decoder (gozxing, a port of ZXing, as phones use): the inline image and
// the one at its own URL must both say the deep-link prefix plus the
// session ID, at the size the prefix implies. The default prefix must stay
// a version-2 code, which is what keeps QR creation fast.
func TestQRImageEncodesTheContent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, config, prefix string
		wantVersion          int // 0: not in alphanumeric mode, so not one version for every ID
	}{
		{name: "default prefix", prefix: DefaultDeepLinkPrefix, wantVersion: 2},
		{name: "upper-case https link", config: `deep_link_prefix: "HTTPS://GJJ.EXAMPLE.CN/QR/"`, prefix: "HTTPS://GJJ.EXAMPLE.CN/QR/", wantVersion: 3},
		{name: "lower-case deep link", config: `deep_link_prefix: "gjjapp://qrlogin?id="`, prefix: "gjjapp://qrlogin?id="},
		{name: "universal link", config: `deep_link_prefix: "https://app.gjj.example.cn/scan/login?qr="`, prefix: "https://app.gjj.example.cn/scan/login?qr="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := openTest(t, tc.config)
			ch := start(t, c, "ar-1")
			if ch.Content != tc.prefix+ch.ID {
				t.Fatalf("content %q, want %q + the ID", ch.Content, tc.prefix)
			}
			version, exact, err := qrVersion(tc.prefix)
			if err != nil || exact != (tc.wantVersion != 0) || (exact && version != tc.wantVersion) {
				t.Fatalf("QR version %d exact %v (%v), want %d", version, exact, err, tc.wantVersion)
			}
			own, err := c.Image(t.Context(), ch.ID, ch.PollSecret)
			if err != nil {
				t.Fatalf("image at its own URL: %v", err)
			}
			for name, b := range map[string][]byte{"inline": ch.Image, "own URL": own} {
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: not a PNG: %v", name, err)
				}
				// Four pixels a module, a four-module quiet zone each side;
				// byte-mode prefixes may take a version more for some IDs.
				w, h := img.Bounds().Dx(), img.Bounds().Dy()
				if got := (w/modulePixels - 8 - 17) / 4; w != h || w != (17+4*got+8)*modulePixels || got < version || (exact && got != version) {
					t.Fatalf("%s: %dx%d pixels, want a square version-%d code (exact %v) of %d pixels a module", name, w, h, version, exact, modulePixels)
				}
				bmp, err := gozxing.NewBinaryBitmapFromImage(img)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				got, err := zxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
				if err != nil || got.GetText() != ch.Content {
					t.Fatalf("%s: decoded %v (%v), want %q", name, got, err, ch.Content)
				}
			}
			_, err = c.Image(t.Context(), ch.ID, "wrong")
			loginError(t, "image without the poll secret", err, "not_found")
		})
	}
}

// TestLoginFromScanToRedeem walks one session through the app API and the
// browser's side and checks the identity the login gets.
func TestLoginFromScanToRedeem(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "")
	ch := start(t, c, "ar-1")
	tok := token(f, "tok-1", "p_alice", "grant-1", "gjj:loa:3", "pwd", "mfa")
	ctx := t.Context()

	st, err := c.Status(ctx, ch.ID, ch.PollSecret, true)
	if err != nil || st.State != connectors.CrossDeviceWaiting || st.Final() {
		t.Fatalf("status %+v %v", st, err)
	}
	code, body := call(t, c, tok, ch.ID, "scan")
	wantCode(t, "scan", code, body, http.StatusOK, "")
	browser := body["browser"].(map[string]any)
	if body["client_name"] != "网上办事大厅" || browser["ip"] != "203.0.113.7" || !strings.Contains(browser["user_agent"].(string), "Chrome/120") {
		t.Fatalf("scan view %v", body)
	}
	st, _ = c.Status(ctx, ch.ID, ch.PollSecret, false)
	if st.State != connectors.CrossDeviceScanned || st.Name != "张*" || st.Ticket != "" {
		t.Fatalf("after the scan: %+v", st)
	}
	// A refreshed token of the same login still names the app session.
	refreshed := token(f, "tok-2", "p_alice", "grant-1", "gjj:loa:3", "pwd", "mfa")
	code, body = call(t, c, refreshed, ch.ID, "confirm")
	wantCode(t, "confirm with a refreshed token", code, body, http.StatusOK, "")
	st, _ = c.Status(ctx, ch.ID, ch.PollSecret, false)
	if st.State != connectors.CrossDeviceConfirmed || st.Ticket == "" {
		t.Fatalf("after the confirmation: %+v", st)
	}
	first := st.Ticket
	st, _ = c.Status(ctx, ch.ID, ch.PollSecret, false)
	_, err = c.Redeem(ctx, connectors.Redemption{ID: ch.ID, PollSecret: ch.PollSecret, Ticket: first, AuthRequestID: "ar-1"})
	loginError(t, "redeem a replaced ticket", err, "invalid_ticket")
	_, err = c.Redeem(ctx, connectors.Redemption{ID: ch.ID, PollSecret: "other", Ticket: st.Ticket, AuthRequestID: "ar-1"})
	loginError(t, "redeem without the poll secret", err, "invalid_ticket")

	id, err := c.Redeem(ctx, connectors.Redemption{ID: ch.ID, PollSecret: ch.PollSecret, Ticket: st.Ticket, AuthRequestID: "ar-1"})
	if err != nil {
		t.Fatalf("redeem: %v", err)
	}
	if id.Subject != "p_alice" || id.Kind != connectors.KindPerson || id.LinkPolicy != "" || id.Name != "张三" ||
		!slices.Equal(id.AMR, []string{"pwd", "mfa", AMR}) || id.ACR != "gjj:loa:2" || id.ConnectorID != "appscan" {
		t.Fatalf("identity %+v: want p_alice, person, no link policy, amr pwd mfa qr, acr capped at gjj:loa:2", id)
	}
	_, err = c.Redeem(ctx, connectors.Redemption{ID: ch.ID, PollSecret: ch.PollSecret, Ticket: st.Ticket, AuthRequestID: "ar-1"})
	loginError(t, "redeem twice", err, "invalid_ticket")
	st, _ = c.Status(ctx, ch.ID, ch.PollSecret, false)
	if st.State != connectors.CrossDeviceConsumed || !st.Final() || st.Ticket != "" {
		t.Fatalf("after the redemption: %+v", st)
	}
}

// TestACR: a login never gets more than the app session's acr, and a
// request that demands more than the app session has is refused at the
// scan, before the user agrees.
func TestACR(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "acr: gjj:loa:3\n")
	for app, want := range map[string]string{"gjj:loa:1": "gjj:loa:1", "gjj:loa:2": "gjj:loa:2", "gjj:loa:3": "gjj:loa:3", "unknown": "unknown", "": ""} {
		if got := c.capACR(app); got != want {
			t.Errorf("capACR(%q) = %q, want %q", app, got, want)
		}
	}
	c2, _ := openTest(t, "")
	if got := c2.capACR("gjj:loa:3"); got != "gjj:loa:2" {
		t.Errorf("capACR with acr gjj:loa:2 = %q", got)
	}
	if m := c.minACR([]string{"urn:other", "gjj:loa:3", "gjj:loa:2"}); m != "gjj:loa:2" {
		t.Errorf("minACR = %q", m)
	}
	ch := start(t, c, "ar-1", "gjj:loa:2")
	weak := token(f, "weak", "p_alice", "g-weak", "gjj:loa:1", "pwd")
	code, body := call(t, c, weak, ch.ID, "scan")
	wantCode(t, "scan by a weaker app session", code, body, http.StatusForbidden, "insufficient_user_authentication")
	strong := token(f, "strong", "p_alice", "g-strong", "gjj:loa:2", "pwd", "otp")
	code, body = call(t, c, strong, ch.ID, "scan")
	wantCode(t, "scan by a strong enough app session", code, body, http.StatusOK, "")
}

// TestRedeemForAnotherRequest: a confirmed session redeems only for the
// authorization request it was started for.
func TestRedeemForAnotherRequest(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "")
	ch := start(t, c, "ar-1")
	tok := token(f, "tok", "p_alice", "g", "gjj:loa:1", "pwd")
	call(t, c, tok, ch.ID, "scan")
	call(t, c, tok, ch.ID, "confirm")
	st, _ := c.Status(t.Context(), ch.ID, ch.PollSecret, false)
	_, err := c.Redeem(t.Context(), connectors.Redemption{ID: ch.ID, PollSecret: ch.PollSecret, Ticket: st.Ticket, AuthRequestID: "ar-2"})
	loginError(t, "redeem for another request", err, "invalid_ticket")
}

// TestDisabledPerson: a disabled app account can neither scan nor, when
// disabled after the confirmation, log in.
func TestDisabledPerson(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "")
	ch := start(t, c, "ar-1")
	gone := token(f, "gone", "p_gone", "g1", "gjj:loa:1", "pwd")
	code, body := call(t, c, gone, ch.ID, "scan")
	wantCode(t, "scan by a disabled person", code, body, http.StatusForbidden, "access_denied")
	unit := token(f, "unit", "u_91510100MA61ABCD1T", "g2", "gjj:loa:3", "hwk")
	code, body = call(t, c, unit, ch.ID, "scan")
	wantCode(t, "scan by a unit's token", code, body, http.StatusForbidden, "access_denied")

	tok := token(f, "tok", "p_bob", "g3", "gjj:loa:1", "pwd")
	call(t, c, tok, ch.ID, "scan")
	call(t, c, tok, ch.ID, "confirm")
	st, _ := c.Status(t.Context(), ch.ID, ch.PollSecret, false)
	f.AddAccount(connectors.Account{PersonID: "p_bob", Name: "李四", Disabled: true}, "p_bob")
	_, err := c.Redeem(t.Context(), connectors.Redemption{ID: ch.ID, PollSecret: ch.PollSecret, Ticket: st.Ticket, AuthRequestID: "ar-1"})
	loginError(t, "redeem after the person was disabled", err, "no_account")
}

// TestLimits: creations per IP and per request, polls per session and app
// calls per user are bounded.
func TestLimits(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "ip_create_limit: 3\nrequest_create_limit: 2\nmax_polls: 2\napp_rate_limit: 3\n")
	ctx := context.Background()
	r := connectors.CrossDeviceRequest{AuthRequestID: "ar-1", ClientID: "portal", RemoteIP: "203.0.113.7"}
	ch, err := c.Start(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, r); err != nil {
		t.Fatal(err)
	}
	_, err = c.Start(ctx, r)
	loginError(t, "third code of one request", err, "rate_limited")
	r.AuthRequestID = "ar-2"
	_, err = c.Start(ctx, r)
	loginError(t, "fourth code of one IP", err, "rate_limited")
	r.RemoteIP = "203.0.113.8"
	if _, err := c.Start(ctx, r); err != nil {
		t.Fatalf("another IP: %v", err)
	}
	for range 2 {
		if _, err := c.Status(ctx, ch.ID, ch.PollSecret, true); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.Status(ctx, ch.ID, ch.PollSecret, true)
	loginError(t, "third poll", err, "rate_limited")
	if _, err := c.Status(ctx, ch.ID, ch.PollSecret, false); err != nil {
		t.Fatalf("a refresh after a wake-up is not a poll: %v", err)
	}
	_, err = c.Status(ctx, ch.ID, "stranger", true)
	loginError(t, "poll without the secret", err, "not_found")

	tok := token(f, "tok", "p_alice", "g", "gjj:loa:1", "pwd")
	for range 3 {
		call(t, c, tok, "NOSUCH", "scan")
	}
	code, body := call(t, c, tok, "NOSUCH", "scan")
	wantCode(t, "fourth app call within a minute", code, body, http.StatusTooManyRequests, "rate_limited")
}

// TestTokenOfAnotherClient: a relying party's token of the same person must
// not scan (it would let that relying party sign in as the person
// elsewhere).
func TestTokenOfAnotherClient(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "")
	ch := start(t, c, "ar-1")
	f.AddToken("rp", connectors.AccessToken{JTI: "rp", Subject: "p_alice", ClientID: "portal", ACR: "gjj:loa:1"})
	code, body := call(t, c, "rp", ch.ID, "scan")
	wantCode(t, "a relying party's token", code, body, http.StatusUnauthorized, "invalid_token")
	code, body = call(t, c, "", ch.ID, "scan")
	wantCode(t, "no token", code, body, http.StatusUnauthorized, "invalid_token")
}

// TestBearerChallenges: RFC 6750 §3.1, a request without a token gets a
// bare Bearer challenge, one with a bad token error="invalid_token".
func TestBearerChallenges(t *testing.T) {
	t.Parallel()
	c, _ := openTest(t, "")
	ch := start(t, c, "ar-1")
	for _, tc := range []struct {
		name, token, want string
	}{
		{"no token", "", `Bearer realm="gjjid"`},
		{"bad token", "not-a-token", `Bearer realm="gjjid", error="invalid_token"`},
	} {
		req := httptest.NewRequest(http.MethodPost, apiPrefix+ch.ID+"/scan", nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		rec := httptest.NewRecorder()
		c.Handler().ServeHTTP(rec, req)
		got := rec.Header().Get("WWW-Authenticate")
		if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(got, tc.want) || (tc.token == "" && got != tc.want) {
			t.Errorf("%s: %d %q, want 401 %q", tc.name, rec.Code, got, tc.want)
		}
	}
}
