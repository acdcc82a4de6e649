package pages

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/config"
)

// TestCrossOrigin: Sec-Fetch-Site decides when present (Chromium's
// same-origin post carries Origin: null under no-referrer); Origin decides
// for browsers without it.
func TestCrossOrigin(t *testing.T) {
	t.Parallel()
	const origin = "https://sso.example.com"
	for _, tc := range []struct{ site, origin, want string }{
		{"same-origin", "null", ""},
		{"same-origin", origin, ""},
		{"cross-site", "https://evil.example", "cross_site"},
		{"same-site", "https://app.example.com", "cross_site"},
		{"cross-site", "", "cross_site"},
		{"none", "", ""},
		{"none", "https://evil.example", "cross_origin"},
		{"", origin, ""},
		{"", "https://evil.example", "cross_origin"},
		{"", "http://sso.example.com", "cross_origin"},
		{"", "null", "cross_origin"},
		{"", "", ""},
	} {
		r := httptest.NewRequest(http.MethodPost, origin+"/unit/agents", nil)
		if tc.site != "" {
			r.Header.Set("Sec-Fetch-Site", tc.site)
		}
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if got := CrossOrigin(r, origin); got != tc.want {
			t.Errorf("Sec-Fetch-Site %q Origin %q: %q, want %q", tc.site, tc.origin, got, tc.want)
		}
	}
}

// TestSessionLifetimes: a page session ends after the idle timeout without
// use and after its lifetime in any case; a cookie that does not open, or
// opened under another cookie's name, is no session.
func TestSessionLifetimes(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	p := &Pages{o: Options{Config: config.Pages{IdleTimeout: 15 * time.Minute, Lifetime: time.Hour}, Now: func() time.Time { return now }},
		seal: newSealer([]byte("0123456789abcdef0123456789abcdef"))}
	cookie := func(name string, s session) *http.Cookie {
		v, err := p.seal.seal(name, s)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Cookie{Name: sessionCookie, Value: v}
	}
	live := session{Subject: "p_1", Created: now.Add(-30 * time.Minute).Unix(), Seen: now.Add(-10 * time.Minute).Unix(), AuthTime: now.Unix()}
	for _, tc := range []struct {
		name string
		ck   *http.Cookie
		live bool
	}{
		{"used ten minutes ago", cookie(sessionCookie, live), true},
		{"idle too long", cookie(sessionCookie, session{Subject: "p_1", Created: now.Add(-30 * time.Minute).Unix(), Seen: now.Add(-16 * time.Minute).Unix()}), false},
		{"past its lifetime", cookie(sessionCookie, session{Subject: "p_1", Created: now.Add(-61 * time.Minute).Unix(), Seen: now.Unix()}), false},
		{"sealed for the flow cookie", cookie(flowCookie, live), false},
		{"tampered", &http.Cookie{Name: sessionCookie, Value: strings.Repeat("A", 80)}, false},
	} {
		req := httptest.NewRequest(http.MethodGet, "/unit", nil)
		req.AddCookie(tc.ck)
		c := echo.New().NewContext(req, httptest.NewRecorder())
		if got := p.session(c) != nil; got != tc.live {
			t.Errorf("%s: live %v, want %v", tc.name, got, tc.live)
		}
	}
}

// TestSessionCookieOfEarlierReleaseOpens: a page session sealed by the
// release before package sealed (same key derivation, nonce and
// additional data) still opens, so an upgrade signs nobody out.
func TestSessionCookieOfEarlierReleaseOpens(t *testing.T) {
	t.Parallel()
	const earlier = "g9GhIhPwhJw2r9zgJvqi0MiIjeE1Ka4PjNHqCTD3qYYa1c4Z3xsVtjH_pnMRtLWQp4ZcxjNnENAn1aDW-hR0OTI1Q4vvpbg9b5-q9zbmvnQZdtcrO0pZDu0Pr_KbwaQBzIGo0MH0yD8Ln825canRXUE"
	var s session
	if err := newSealer([]byte("0123456789abcdef0123456789abcdef")).open(sessionCookie, earlier, &s); err != nil || s.Subject != "p_1" || s.Created != 1_800_000_000 {
		t.Fatalf("opened %+v, %v", s, err)
	}
}
