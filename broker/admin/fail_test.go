package admin

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/store"
)

// TestFailClientErrors: how the admin API answers the client service's
// refusals: 409 with a description that names the client and the fix.
func TestFailClientErrors(t *testing.T) {
	t.Parallel()
	a := New(Options{Logger: slog.New(slog.DiscardHandler)})
	for _, tt := range []struct {
		name     string
		err      error
		status   int
		code     string
		describe string
	}{
		{"configured client", &clients.ReadOnlyError{ID: "portal"}, http.StatusConflict, "conflict",
			"client portal is defined in the configuration file; change it there"},
		{"stale copy", &clients.ReadOnlyError{ID: "old", Stale: true}, http.StatusConflict, "conflict",
			"client old is a stored copy of a configuration-file client that an earlier gjjid version wrote; it is not served: delete it, or define it in the configuration file"},
		{"taken by the file", fmt.Errorf("clients: client ID %q is taken by a client defined in the configuration file: %w", "portal", store.ErrConflict),
			http.StatusConflict, "conflict", "already exists"},
		{"unknown", fmt.Errorf("clients: get %q: %w", "x", store.ErrNotFound), http.StatusNotFound, "not_found", "record not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			c := echo.New().NewContext(httptest.NewRequest(http.MethodDelete, "/admin/v1/clients/x", nil), rec)
			if err := a.fail(c, tt.err); err != nil {
				t.Fatal(err)
			}
			var body apiError
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != tt.status || body.Code != tt.code || body.Description != tt.describe {
				t.Errorf("fail(%v) = %d %+v, want %d %s %q", tt.err, rec.Code, body, tt.status, tt.code, tt.describe)
			}
		})
	}
}
