package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gjjid/gjjid/broker/brokertest/loadhttp"
	"github.com/gjjid/gjjid/broker/secrets"
)

// newBrowser returns a cookie-keeping client that follows the broker's
// redirects and stops at the client's URIs (its redirect URI, its
// post-logout redirect URI: nothing listens there).
func newBrowser(tr http.RoundTripper, timeout time.Duration, stopAt ...string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: tr, Jar: jar, Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			for _, u := range stopAt {
				if atRedirectURI(req.URL, u) {
					return http.ErrUseLastResponse
				}
			}
			if len(via) >= 10 {
				return errors.New("too many redirects")
			}
			return nil
		}}
}

func atRedirectURI(u *url.URL, redirectURI string) bool {
	r, err := url.Parse(redirectURI)
	return err == nil && u.Scheme == r.Scheme && u.Host == r.Host && u.Path == r.Path
}

// grant is an authorization code and its PKCE verifier.
type grant struct{ code, verifier string }

type flow struct{ state, verifier, url string }

// newFlow builds an authorization request with state, nonce and PKCE S256.
func (l *loader) newFlow() flow {
	f := flow{state: secrets.Random(12), verifier: secrets.Random(32)}
	sum := sha256.Sum256([]byte(f.verifier))
	q := url.Values{
		"client_id": {l.o.rpID}, "redirect_uri": {l.o.redirectURI}, "response_type": {"code"},
		"scope": {"openid profile offline_access"}, "state": {f.state}, "nonce": {secrets.Random(12)},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	sep := "?"
	if strings.Contains(l.ep.Authorization, "?") {
		sep = "&"
	}
	f.url = l.ep.Authorization + sep + q.Encode()
	return f
}

func (l *loader) codeForm(g grant) string {
	return url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {l.o.redirectURI},
		"code_verifier": {g.verifier}}.Encode()
}

var (
	formRe           = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	passwordButtonRe = regexp.MustCompile(`id="connector-password" href="([^"]+)"`)
	hiddenRe         = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)
)

// login signs in once through the password form (the broker's slow
// password hash runs once); mintCode then gets codes from the SSO session.
func (l *loader) login(ctx context.Context) error {
	if l.loggedIn {
		return nil
	}
	if _, err := l.passwordLogin(ctx, l.browser, l.o.user, l.o.password); err != nil {
		return err
	}
	l.loggedIn = true
	return nil
}

// passwordLogin runs an authorization request in browser br, signing in
// as user through the password form unless an SSO session of br answers
// it, and returns the authorization code.
func (l *loader) passwordLogin(ctx context.Context, br *http.Client, user, password string) (grant, error) {
	f := l.newFlow()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	resp, err := br.Do(req)
	if err != nil {
		return grant{}, fmt.Errorf("login: %w", err)
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		code, err := l.callback(f, resp)
		if err != nil {
			return grant{}, fmt.Errorf("login: %w", err)
		}
		return grant{code, f.verifier}, nil // an SSO session already answered
	}
	if b := passwordButtonRe.FindSubmatch(page); b != nil {
		// The chooser of several methods (gjjid dev has them all):
		// follow its password button.
		next, err := resp.Request.URL.Parse(html.UnescapeString(string(b[1])))
		if err != nil {
			return grant{}, fmt.Errorf("login: password button: %w", err)
		}
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
		if resp, err = br.Do(req); err != nil {
			return grant{}, fmt.Errorf("login: %w", err)
		}
		page, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}
	m := formRe.FindSubmatch(page)
	if m == nil || !strings.Contains(string(page), `name="secret"`) {
		return grant{}, fmt.Errorf("login: the login page at %s has no password form", resp.Request.URL.Path)
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return grant{}, fmt.Errorf("login: form action: %w", err)
	}
	form := url.Values{}
	for _, h := range hiddenRe.FindAllSubmatch(page, -1) {
		form.Set(string(h[1]), html.UnescapeString(string(h[2])))
	}
	form.Set("user", user)
	form.Set("secret", password)
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = br.Do(req)
	if err != nil {
		return grant{}, fmt.Errorf("login: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	code, err := l.callback(f, resp)
	if err != nil {
		return grant{}, fmt.Errorf("login as %s: %w", maskUser(user), err)
	}
	return grant{code, f.verifier}, nil
}

// maskUser keeps an ID number or mobile out of error messages: its last
// four characters.
func maskUser(user string) string {
	if len(user) <= 4 {
		return "****"
	}
	return "…" + user[len(user)-4:]
}

// callback reads the code from the redirect to the client.
func (l *loader) callback(f flow, resp *http.Response) (string, error) {
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("status %d at %s, want a redirect to %s", resp.StatusCode, resp.Request.URL.Path, l.o.redirectURI)
	}
	loc, err := resp.Location()
	if err != nil {
		return "", err
	}
	if !atRedirectURI(loc, l.o.redirectURI) {
		return "", fmt.Errorf("redirect to %s, want %s", loc.Redacted(), l.o.redirectURI)
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("authorization error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != f.state || q.Get("code") == "" {
		return "", errors.New("redirect without the code or with another state")
	}
	return q.Get("code"), nil
}

// mintCode runs /authorize; the SSO session answers without a password.
func (l *loader) mintCode(ctx context.Context) (grant, error) {
	f := l.newFlow()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	if err != nil {
		return grant{}, err
	}
	resp, err := l.browser.Do(req)
	if err != nil {
		return grant{}, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	code, err := l.callback(f, resp)
	if err != nil {
		return grant{}, fmt.Errorf("authorize from the SSO session: %w", err)
	}
	return grant{code, f.verifier}, nil
}

// mintCodes makes n codes, 8 requests at a time.
func (l *loader) mintCodes(ctx context.Context, n int) ([]grant, error) {
	out := make([]grant, n)
	err := loadhttp.Parallel(n, 8, func(_, i int) (err error) {
		out[i], err = l.mintCode(ctx)
		return err
	})
	return out, err
}
