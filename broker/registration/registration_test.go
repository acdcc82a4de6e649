package registration

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
)

const testToken = "initial-access-token-for-the-unit-tests"

// recorder keeps events and fails when told to.
type recorder struct {
	mu     sync.Mutex
	events []audit.Event
	fail   bool
}

func (r *recorder) Record(_ context.Context, e audit.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("audit store down")
	}
	r.events = append(r.events, e)
	return nil
}

// unreachable is a client registry whose backend is down.
type unreachable struct{ store.Clients }

func (unreachable) CreateClient(context.Context, *store.Client) error { return store.ErrUnavailable }
func (unreachable) GetClient(context.Context, string) (*store.Client, error) {
	return nil, store.ErrUnavailable
}

func server(t *testing.T, st store.Clients, rec audit.Recorder) *echo.Echo {
	e := echo.New()
	New(Options{Issuer: "https://sso.example.cn/oidc", InitialAccessTokens: []string{"another-initial-access-token-0123456789", testToken},
		Clients: clients.New(clients.NewOverlay(st, nil), clients.Options{}), Audit: rec, Logger: slog.New(slog.DiscardHandler)}).Register(e, "/oidc")
	return e
}

func do(e *echo.Echo, method, path, auth, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

const validBody = `{"client_name":"x","redirect_uris":["https://rp.example.cn/cb"]}`

func TestRegisterRequests(t *testing.T) {
	t.Parallel()
	mem := memory.New()
	t.Cleanup(func() { mem.Close() })
	tests := []struct {
		name         string
		st           store.Clients
		auth, ctype  string
		body         string
		status       int
		code, prefix string
	}{
		{"second configured token, lower-case scheme", mem, "bearer " + testToken, "application/json; charset=utf-8", validBody, http.StatusCreated, "", ""},
		{"Basic instead of Bearer", mem, "Basic " + testToken, "application/json", validBody, http.StatusUnauthorized, "invalid_token", ""},
		{"token prefix only", mem, "Bearer " + testToken[:20], "application/json", validBody, http.StatusUnauthorized, "invalid_token", ""},
		{"form body", mem, "Bearer " + testToken, "application/x-www-form-urlencoded", "client_name=x", http.StatusBadRequest, "invalid_client_metadata", "body: "},
		{"not JSON", mem, "Bearer " + testToken, "application/json", "{", http.StatusBadRequest, "invalid_client_metadata", "body: "},
		{"too large", mem, "Bearer " + testToken, "application/json", `{"client_name":"` + strings.Repeat("a", maxBody) + `"}`, http.StatusBadRequest, "invalid_client_metadata", "body: "},
		{"scope named as in RFC 7591", mem, "Bearer " + testToken, "application/json",
			`{"client_name":"x","redirect_uris":["https://rp.example.cn/cb"],"scope":"a gjjid:admin"}`, http.StatusBadRequest, "invalid_client_metadata", "scope: "},
		{"RS256 ID tokens", mem, "Bearer " + testToken, "application/json",
			`{"client_name":"x","redirect_uris":["https://rp.example.cn/cb"],"id_token_signed_response_alg":"RS256"}`, http.StatusCreated, "", ""},
		{"unknown ID token algorithm", mem, "Bearer " + testToken, "application/json",
			`{"client_name":"x","redirect_uris":["https://rp.example.cn/cb"],"id_token_signed_response_alg":"HS256"}`, http.StatusBadRequest, "invalid_client_metadata", "id_token_signed_response_alg: "},
		{"back-channel logout", mem, "Bearer " + testToken, "application/json",
			`{"client_name":"x","redirect_uris":["https://rp.example.cn/cb"],"backchannel_logout_uri":"https://rp.example.cn/bcl","backchannel_logout_session_required":true,"frontchannel_logout_uri":"https://rp.example.cn/fcl"}`, http.StatusCreated, "", ""},
		{"back-channel logout over http", mem, "Bearer " + testToken, "application/json",
			`{"client_name":"x","redirect_uris":["https://rp.example.cn/cb"],"backchannel_logout_uri":"http://rp.example.cn/bcl"}`, http.StatusBadRequest, "invalid_client_metadata", "backchannel_logout_uri: "},
		{"store down", unreachable{mem}, "Bearer " + testToken, "application/json", validBody, http.StatusServiceUnavailable, "temporarily_unavailable", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := do(server(t, tc.st, nil), http.MethodPost, "/oidc/register", tc.auth, tc.ctype, tc.body)
			body := w.Body.String()
			bad := tc.code != "" && (!strings.Contains(body, `"error":"`+tc.code) || !strings.Contains(body, `"error_description":"`+tc.prefix))
			if w.Code != tc.status || bad {
				t.Fatalf("%d %s, want %d %s (%s…)", w.Code, body, tc.status, tc.code, tc.prefix)
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", w.Header().Get("Cache-Control"))
			}
			if tc.status == http.StatusCreated && !strings.Contains(body, `"registration_client_uri":"https://sso.example.cn/oidc/register/`) {
				t.Errorf("registration_client_uri not under the issuer: %s", body)
			}
			if tc.status == http.StatusCreated && strings.Contains(tc.body, "backchannel_logout_uri") &&
				!strings.Contains(body, `"backchannel_logout_uri":"https://rp.example.cn/bcl","backchannel_logout_session_required":true,"frontchannel_logout_uri":"https://rp.example.cn/fcl"`) {
				t.Errorf("registered logout metadata not in the answer: %s", body)
			}
			if tc.status == http.StatusCreated && strings.Contains(tc.body, "id_token_signed_response_alg") && !strings.Contains(body, `"id_token_signed_response_alg":"RS256"`) {
				t.Errorf("registered id_token_signed_response_alg not in the answer: %s", body)
			}
		})
	}
}

// TestReadWhileStoreDown: an outage is 503, not a 401 that would make the
// client think its registration is gone.
func TestReadWhileStoreDown(t *testing.T) {
	t.Parallel()
	w := do(server(t, unreachable{}, nil), http.MethodGet, "/oidc/register/abc", "Bearer "+testToken, "", "")
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("%d %s, want 503", w.Code, w.Body)
	}
}

// TestAuditFailureDoesNotUndo: the client exists once created, so an audit
// outage is logged, not answered as an error the client would retry.
func TestAuditFailureDoesNotUndo(t *testing.T) {
	t.Parallel()
	mem := memory.New()
	t.Cleanup(func() { mem.Close() })
	rec := &recorder{}
	e := server(t, mem, rec)
	if w := do(e, http.MethodPost, "/oidc/register", "Bearer "+testToken, "application/json", validBody); w.Code != http.StatusCreated {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if len(rec.events) != 1 || rec.events[0].Type != audit.ClientRegister || rec.events[0].Action != "register" ||
		rec.events[0].Actor != "registration" || rec.events[0].Principal == "" {
		t.Fatalf("events %+v", rec.events)
	}
	rec.fail = true
	if w := do(e, http.MethodPost, "/oidc/register", "Bearer "+testToken, "application/json", validBody); w.Code != http.StatusCreated {
		t.Fatalf("with audit down: %d %s", w.Code, w.Body)
	}
}
