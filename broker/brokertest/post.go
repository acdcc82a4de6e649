package brokertest

import (
	"encoding/json"
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
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range extra {
		req.Header[k] = v
	}
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp.Header
}
