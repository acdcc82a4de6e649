package ops

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// TestStoreErrorsAnswer503: a handler error meaning the store is
// unreachable is a 503 with Retry-After, not echo's 500; any other error
// goes to the next handler.
func TestStoreErrorsAnswer503(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		err        error
		wantStatus int
	}{
		{"store unavailable", fmt.Errorf("load session: %w", store.ErrUnavailable), http.StatusServiceUnavailable},
		{"connector contract unavailable", fmt.Errorf("qr: %w", connectors.ErrUnavailable), http.StatusServiceUnavailable},
		{"other error", errors.New("boom"), http.StatusInternalServerError},
		{"not found", fmt.Errorf("x: %w", store.ErrNotFound), http.StatusInternalServerError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := echo.New()
			e.HTTPErrorHandler = StoreErrors(e.DefaultHTTPErrorHandler)
			e.Use(StoreWaitBudget)
			e.GET("/", func(c echo.Context) error {
				if store.WaitBudgetFrom(c.Request().Context()) == nil {
					t.Error("request without a store wait budget")
				}
				return tt.err
			})
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", w.Code, tt.wantStatus, w.Body)
			}
			if got := w.Header().Get("Retry-After"); (tt.wantStatus == http.StatusServiceUnavailable) != (got != "") {
				t.Fatalf("Retry-After %q with status %d", got, w.Code)
			}
		})
	}
}
