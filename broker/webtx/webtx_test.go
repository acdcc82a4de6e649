package webtx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/webtx"
)

type ctxKey struct{}

// fakeTx records whether it committed; commitErr makes the commit fail.
type fakeTx struct {
	committed, rolledBack bool
	commitErr             error
}

func (f *fakeTx) run(ctx context.Context, fn func(context.Context) error) error {
	if err := fn(context.WithValue(ctx, ctxKey{}, "tx")); err != nil {
		f.rolledBack = true
		return err
	}
	if f.commitErr != nil {
		f.rolledBack = true
		return f.commitErr
	}
	f.committed = true
	return nil
}

func TestWrap(t *testing.T) {
	t.Parallel()
	errHandler := echo.NewHTTPError(http.StatusTeapot, "handler error")
	for _, tc := range []struct {
		name                  string
		status                int
		handlerErr            error
		commitErr             error
		wantCommit            bool
		wantStatus            int
		wantBody              string
		wantHeaderFromHandler bool
	}{
		{"success commits and sends the held answer", http.StatusCreated, nil, nil, true, http.StatusCreated, "done", true},
		{"bad input commits (its refusal is audited)", http.StatusBadRequest, nil, nil, true, http.StatusBadRequest, "done", true},
		{"a server error rolls back, its answer is sent", http.StatusInternalServerError, nil, nil, false, http.StatusInternalServerError, "done", true},
		{"a handler error rolls back and goes to echo", 0, errHandler, nil, false, http.StatusTeapot, "", false},
		{"a failed commit sends nothing held", http.StatusCreated, nil, errors.New("connection lost"), false, http.StatusServiceUnavailable, "failed", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeTx{commitErr: tc.commitErr}
			sawTx := false
			h := webtx.Wrap(f.run, func(c echo.Context) error {
				sawTx = c.Request().Context().Value(ctxKey{}) == "tx"
				if tc.handlerErr != nil {
					return tc.handlerErr
				}
				c.Response().Header().Set("X-Handler", "1")
				return c.String(tc.status, "done")
			}, func(c echo.Context, err error) error {
				return c.String(http.StatusServiceUnavailable, "failed")
			})
			e := echo.New()
			rec := httptest.NewRecorder()
			c := e.NewContext(httptest.NewRequest(http.MethodPost, "/", nil), rec)
			if err := h(c); err != nil {
				e.HTTPErrorHandler(err, c)
			}
			if !sawTx {
				t.Fatal("the handler did not run under the transaction's context")
			}
			if f.committed != tc.wantCommit || f.rolledBack == tc.wantCommit {
				t.Fatalf("committed %v rolled back %v, want commit %v", f.committed, f.rolledBack, tc.wantCommit)
			}
			if rec.Code != tc.wantStatus || (tc.wantBody != "" && rec.Body.String() != tc.wantBody) {
				t.Fatalf("answer %d %q, want %d %q", rec.Code, rec.Body.String(), tc.wantStatus, tc.wantBody)
			}
			if got := rec.Header().Get("X-Handler") == "1"; got != tc.wantHeaderFromHandler {
				t.Fatalf("handler's header sent: %v, want %v", got, tc.wantHeaderFromHandler)
			}
		})
	}
}

func TestWrapWithoutTx(t *testing.T) {
	t.Parallel()
	ran := false
	h := webtx.Wrap(nil, func(c echo.Context) error { ran = true; return c.NoContent(http.StatusNoContent) }, nil)
	rec := httptest.NewRecorder()
	if err := h(echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/", nil), rec)); err != nil || !ran || rec.Code != http.StatusNoContent {
		t.Fatalf("without a Tx: ran %v, %d, %v", ran, rec.Code, err)
	}
}
