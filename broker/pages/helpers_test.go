package pages_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// signIn opens path on the broker with a fresh browser and signs in with
// the password form as user; it returns the browser on the page.
func signIn(t *testing.T, b *bt.Broker, path, user, password string) *bt.Browser {
	t.Helper()
	br := bt.NewBrowser(t)
	if _, err := br.Get(b.URL + path); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	if m := passwordButton.FindStringSubmatch(br.Page); m != nil {
		// The chooser, when the login offers several methods.
		if _, err := br.Get(b.URL + html.UnescapeString(m[1])); err != nil {
			t.Fatalf("choose the password: %v", err)
		}
	}
	if !strings.Contains(br.Page, `name="secret"`) {
		t.Fatalf("opening %s did not lead to the password form (status %d): %.400s", path, br.Last, br.Page)
	}
	if _, err := br.SubmitPassword(b.URL, user, password); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if br.Last != http.StatusOK {
		t.Fatalf("after sign-in: status %d: %.400s", br.Last, br.Page)
	}
	return br
}

var passwordButton = regexp.MustCompile(`id="connector-password" href="([^"]+)"`)

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the page's CSRF token.
func csrf(t *testing.T, br *bt.Browser) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(br.Page)
	if m == nil {
		t.Fatalf("no CSRF token on the page: %.400s", br.Page)
	}
	return html.UnescapeString(m[1])
}

// post sends a form with extra headers (Origin, Sec-Fetch-Site) and
// returns the status and body; redirects are not followed.
func post(t *testing.T, br *bt.Browser, u string, form url.Values, headers map[string]string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	c := *br.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, sb.String(), resp.Header.Get("Location")
}

// residentID completes 17 digits with their GB 11643 check character.
func residentID(first17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * w[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// newAgent is the agent the tests add to the demo unit.
var newAgent = url.Values{
	"name": {"王五"}, "id_type": {"resident_id"}, "id_number": {residentID("11010519491231002")},
	"mobile": {"13700137000"}, "password": {"582913"}, "password2": {"582913"}, "roles": {"operator"},
}

// agentLogin runs the demo client's code flow as user with the password
// form and returns the ID token's unit_id, or the error.
func agentLogin(t *testing.T, b *bt.Broker, user, password string) (string, error) {
	t.Helper()
	return agentLoginWith(t, b, bt.NewBrowser(t), user, password)
}

// agentLoginWith is agentLogin in the browser br (which keeps its SSO
// session).
func agentLoginWith(t *testing.T, b *bt.Broker, br *bt.Browser, user, password string) (string, error) {
	t.Helper()
	rp := bt.NewRP(t, b.URL)
	f := rp.NewFlow()
	loc, err := br.Login(b.URL, f.URL, user, password)
	if err != nil {
		return "", err
	}
	code, err := rp.Callback(f, loc)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, idt, err := rp.Exchange(ctx, f, code)
	if err != nil {
		return "", err
	}
	var cl struct {
		UnitID string `json:"unit_id"`
	}
	err = idt.Claims(&cl)
	if loc == nil {
		return "", fmt.Errorf("no redirect")
	}
	return cl.UnitID, err
}
