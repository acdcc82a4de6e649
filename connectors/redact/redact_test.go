package redact_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/connectors/redact"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// aliyunEncode is Alibaba's "special URL encode", written as its samples
// write it.
func aliyunEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func TestTextRemovesEveryEncoding(t *testing.T) {
	t.Parallel()
	const secret = `s3cr3t*~ +/&"<x>`
	tests := map[string]string{
		"raw":              secret,
		"query once":       url.QueryEscape(secret),
		"query twice":      url.QueryEscape(url.QueryEscape(secret)),
		"path once":        url.PathEscape(secret),
		"path twice":       url.PathEscape(url.PathEscape(secret)),
		"aliyun once":      aliyunEncode(secret),
		"aliyun twice":     aliyunEncode(aliyunEncode(secret)),
		"json":             jsonString(secret),
		"json in query":    url.QueryEscape(jsonString(secret)),
		"lower-case hex":   strings.ToLower(aliyunEncode(aliyunEncode(secret))),
		"base64":           "Basic " + base64Of(secret),
		"template in sign": aliyunEncode(aliyunEncode(`{"code":"626819"}`)),
	}
	for name, echoed := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var s redact.Sent
			s.Add(secret, "626819", `{"code":"626819"}`)
			got := s.Text("server string to sign is:GET&%2F&" + echoed + " end")
			redacttest.AssertNoCanary(t, got, secret, "626819")
			if !strings.Contains(got, redact.Placeholder) || !strings.HasSuffix(got, " end") {
				t.Errorf("Text = %q: want the value replaced and the rest kept", got)
			}
		})
	}
}

func TestAddAsShowsTheMaskedForm(t *testing.T) {
	t.Parallel()
	var s redact.Sent
	s.AddAs("13800138000", "138****8000")
	if got := s.Text("PhoneNumbers%3D13800138000%26"); got != "PhoneNumbers%3D138****8000%26" {
		t.Errorf("Text = %q", got)
	}
}

func TestUpstreamErrorKeepsCodesOnly(t *testing.T) {
	t.Parallel()
	var s redact.Sent
	s.Add("tok-123456")
	e := s.Error("oidc token", "invalid_grant", 400, "req-1", "code tok-123456 is\nused")
	want := "oidc token: invalid_grant: code [redacted] is used (HTTP 400, RequestId req-1)"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	var ue *redact.UpstreamError
	if !errors.As(fmt.Errorf("login: %w", e), &ue) || ue.Code != "invalid_grant" {
		t.Errorf("errors.As lost the UpstreamError")
	}
}

func TestWrapKeepsTheChain(t *testing.T) {
	t.Parallel()
	var s redact.Sent
	s.Add("p@ss word")
	cause := fmt.Errorf("Get \"https://x/?p=%s\": %w", url.QueryEscape("p@ss word"), errTimeout)
	err := s.Wrap(cause)
	if !errors.Is(err, errTimeout) || redacttest.Leaks(err.Error(), "p@ss word") {
		t.Errorf("Wrap = %v", err)
	}
}

var errTimeout = errors.New("timeout")

// TestLeaksSeesEachEncoding: the assertion cannot pass by missing a form.
func TestLeaksSeesEachEncoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ hay, canary string }{
		{"x 654321 y", "654321"},
		{url.QueryEscape(url.QueryEscape("a b&c")), "a b&c"},
		{aliyunEncode(aliyunEncode("a b*c")), "a b*c"},
		{jsonString(`a"b`), `a"b`},
	} {
		if !redacttest.Leaks(tc.hay, tc.canary) {
			t.Errorf("Leaks(%q, %q) = false", tc.hay, tc.canary)
		}
	}
	if redacttest.Leaks("nothing here", "654321") {
		t.Error("Leaks on clean text")
	}
}

func TestTextBoundsAndCleans(t *testing.T) {
	t.Parallel()
	got := (*redact.Sent)(nil).Text(strings.Repeat("好", 1000) + "\n")
	if len(got) > 2060 || strings.ContainsAny(got, "\n\r") {
		t.Errorf("Text: %d bytes", len(got))
	}
}

// TestPercentEncode: the encoding Alibaba Cloud signs over, as its
// samples compute it.
func TestPercentEncode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"AZaz09-_.~":   "AZaz09-_.~",
		"a b":          "a%20b",
		"a*b":          "a%2Ab",
		"a+b":          "a%2Bb",
		"/":            "%2F",
		`{"code":"1"}`: "%7B%22code%22%3A%221%22%7D",
		"=&":           "%3D%26",
		"公":            "%E5%85%AC",
		"%":            "%25",
	} {
		if got := redact.PercentEncode(in); got != want || got != aliyunEncode(in) {
			t.Errorf("PercentEncode(%q) = %q, want %q (Alibaba's samples give %q)", in, got, want, aliyunEncode(in))
		}
	}
}
