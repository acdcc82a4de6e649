package brokertest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is a cookie-keeping HTTP client that drives the login pages the
// way a form-submitting browser does, and stops at the relying party's
// redirect URI (nothing listens there).
type Browser struct {
	t      testing.TB
	Client *http.Client
	// Page is the last HTML page received.
	Page string
	// Last is the last response's status.
	Last int
}

// NewBrowser returns a browser with an empty cookie jar.
func NewBrowser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	b := &Browser{t: t}
	b.Client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == "127.0.0.1:5555" || (req.URL.Hostname() == "127.0.0.1" && req.URL.Path == "/callback" && req.URL.Port() != "" && !isBroker(via, req)) {
			return http.ErrUseLastResponse
		}
		if len(via) > 10 {
			return fmt.Errorf("too many redirects")
		}
		return nil
	}}
	return b
}

// isBroker: a redirect to the host that served the first request is the
// broker's own; native loopback callbacks go elsewhere.
func isBroker(via []*http.Request, req *http.Request) bool {
	return len(via) > 0 && via[0].URL.Host == req.URL.Host
}

// Get fetches u, following the broker's redirects; it returns the final
// response's Location when it stopped at a relying party.
func (b *Browser) Get(u string) (*url.URL, error) {
	return b.do(func() (*http.Response, error) { return b.Client.Get(u) })
}

// Post submits a form.
func (b *Browser) Post(u string, form url.Values) (*url.URL, error) {
	return b.do(func() (*http.Response, error) { return b.Client.PostForm(u, form) })
}

func (b *Browser) do(f func() (*http.Response, error)) (*url.URL, error) {
	resp, err := f()
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.Page, b.Last = string(body), resp.StatusCode
	if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		return resp.Location()
	}
	return nil, nil
}

var (
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// Form returns the hidden fields and action of the page's form.
func (b *Browser) Form(base string) (string, url.Values, error) {
	m := actionRe.FindStringSubmatch(b.Page)
	if m == nil {
		return "", nil, fmt.Errorf("no form on page (status %d): %.300s", b.Last, b.Page)
	}
	vals := url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(b.Page, -1) {
		vals.Set(h[1], html.UnescapeString(h[2]))
	}
	return strings.TrimSuffix(base, "/") + html.UnescapeString(m[1]), vals, nil
}

// Login opens authURL and signs in with the password form; it returns the
// redirect to the relying party (with code, state and iss).
func (b *Browser) Login(issuer, authURL, user, password string) (*url.URL, error) {
	loc, err := b.Get(authURL)
	if err != nil {
		return nil, err
	}
	if loc != nil {
		return loc, nil // answered from the SSO session or an error redirect
	}
	return b.SubmitPassword(issuer, user, password)
}

// SubmitPassword fills and posts the password form on the current page.
func (b *Browser) SubmitPassword(issuer, user, password string) (*url.URL, error) {
	action, vals, err := b.Form(issuer)
	if err != nil {
		return nil, err
	}
	vals.Set("user", user)
	vals.Set("secret", password)
	return b.Post(action, vals)
}
