package brokertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// PostForm posts form to u with Basic credentials when basicID is set and
// the extra headers, and returns the status, the decoded JSON answer (nil
// when it is not JSON) and the response headers.
func PostForm(t testing.TB, u string, form url.Values, basicID, basicSecret string, extra http.Header) (int, map[string]any, http.Header) {
	t.Helper()
	req := formRequest(t, u, form)
	for k, v := range extra {
		req.Header[k] = v
	}
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, m, _ := Send(t, nil, req)
	return resp.StatusCode, m, resp.Header
}

// PostFormWith posts form to u with client (nil: http.DefaultClient) and
// returns the response (its body read and closed) and the decoded JSON
// object (nil when the answer is none).
func PostFormWith(t testing.TB, client *http.Client, u string, form url.Values) (*http.Response, map[string]any) {
	t.Helper()
	resp, m, _ := Send(t, client, formRequest(t, u, form))
	return resp, m
}

// formRequest is a POST of form to u.
func formRequest(t testing.TB, u string, form url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// Send sends req with client (nil: http.DefaultClient), reads the whole
// answer and decodes it as a JSON object. It returns the response (its
// body read and closed), the object (nil when the body is empty or no
// JSON object) and the body.
func Send(t testing.TB, client *http.Client, req *http.Request) (*http.Response, map[string]any, []byte) {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the answer: %v", req.Method, req.URL.Path, err)
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		m = nil
	}
	return resp, m, raw
}
