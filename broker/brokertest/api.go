package brokertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// API calls the broker's JSON APIs with a bearer token.
type API struct {
	t      testing.TB
	base   string
	client *http.Client
}

// NewAdminAPI gets a client_credentials token for the demo admin client
// (through golang.org/x/oauth2) and calls the admin API with it.
func NewAdminAPI(t testing.TB, issuer string) *API {
	return NewServiceAPI(t, issuer, AdminID, AdminSecret, "gjjid:admin")
}

// NewServiceAPI is NewAdminAPI for any client_credentials client.
func NewServiceAPI(t testing.TB, issuer, id, secret string, scopes ...string) *API {
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: issuer + "/oauth/token", Scopes: scopes}
	return &API{t: t, base: issuer, client: cc.Client(context.Background())}
}

// NewTokenAPI calls the APIs with a fixed access token (a user's).
func NewTokenAPI(t testing.TB, issuer, accessToken string) *API {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"})
	return &API{t: t, base: issuer, client: oauth2.NewClient(context.Background(), ts)}
}

// Raw is a request body sent as it is, with its content type (a CSV
// file for the import endpoint).
type Raw struct {
	ContentType string
	Data        []byte
}

// Call sends body (JSON-encoded unless nil or Raw) and decodes the JSON answer
// into out (unless nil). It returns the status; transport errors fail the
// test.
func (a *API) Call(method, path string, body, out any) int {
	a.t.Helper()
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case Raw:
		rd, contentType = bytes.NewReader(b.Data), b.ContentType
	default:
		raw, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// Want calls and fails the test unless the status is want.
func (a *API) Want(want int, method, path string, body, out any) {
	a.t.Helper()
	var raw json.RawMessage
	got := a.Call(method, path, body, &raw)
	if got != want {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, raw)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatal(err)
		}
	}
}
