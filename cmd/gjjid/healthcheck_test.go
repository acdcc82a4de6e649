package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHealthcheck: exit 0 only for a 200 from the URL asked; the exit code
// is what a container HEALTHCHECK looks at.
func TestHealthcheck(t *testing.T) {
	d := startDev(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		errText string
	}{
		{"dev broker healthy", []string{"--url", d.issuer + "/healthz"}, 0, ""},
		{"503", []string{"--url", failing.URL}, 1, "503"},
		{"nobody listening", []string{"--url", gone.URL}, 1, "connection refused"},
		{"timeout", []string{"--url", slow.URL, "--timeout", "200ms"}, 1, "deadline exceeded"},
		{"bad url", []string{"--url", "://x"}, 1, "--url"},
		{"stray argument", []string{"extra"}, 1, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb strings.Builder
			code := run(context.Background(), append([]string{"healthcheck"}, tc.args...), &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.errText) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errb.String(), tc.errText)
			}
			if code == 0 && strings.TrimSpace(out.String()) != "ok" {
				t.Fatalf("stdout %q", out.String())
			}
		})
	}
}
