package connectorstest

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/gjjid/gjjid/connectors"
)

// noFollow is a browser that stops at the first redirect.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Authorize runs the browser's first leg of a redirect login against a
// fake upstream: the connector's LoginURL for state and callbackURL, then
// the upstream's page, whose redirect is not followed. It returns the
// login URL and where the upstream sends the browser back.
func Authorize(t testing.TB, ctx context.Context, c connectors.RedirectLogin, state, callbackURL string) (loginURL string, back *url.URL) {
	t.Helper()
	loginURL, err := c.LoginURL(ctx, state, callbackURL)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := noFollow.Get(loginURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err = resp.Location()
	if err != nil {
		t.Fatalf("the upstream's page %s did not redirect (status %d)", loginURL, resp.StatusCode)
	}
	return loginURL, back
}

// WantLoginError fails the test unless err is a *connectors.LoginError
// with code and a text in both languages; it returns the error.
func WantLoginError(t testing.TB, err error, code string) *connectors.LoginError {
	t.Helper()
	le, ok := connectors.AsLoginError(err)
	if !ok || le.Code != code {
		t.Fatalf("error %v: want login error %s", err, code)
	}
	if le.Text("zh-CN") == "" || le.Text("en") == "" {
		t.Fatalf("login error %s without both texts", code)
	}
	return le
}

// LoginErrorCode sums up err for a table of cases: "" for nil, the code of
// a *connectors.LoginError, and "!" + the text of any other error (a
// server error, which no refusal code may stand for).
func LoginErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if le, ok := connectors.AsLoginError(err); ok {
		return le.Code
	}
	return "!" + err.Error()
}
