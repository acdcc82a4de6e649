package loadhttp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gjjid/gjjid/broker/brokertest/loadhttp"
)

// TestClientOnlyOKSucceeds: a 200 gives the body; any other status is an
// error naming the method, path and status and quoting the body; the form
// and Authorization header arrive as sent.
func TestClientOnlyOKSucceeds(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/token":
			_ = r.ParseForm()
			if r.Header.Get("Authorization") != "Basic x" || r.PostForm.Get("grant_type") != "refresh_token" ||
				r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			_, _ = io.WriteString(w, `{"ok":true}`)
		case "/moved":
			http.Redirect(w, r, "/token", http.StatusFound)
		default:
			http.Error(w, "no such page", http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	c := loadhttp.Client{HTTP: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	ctx, buf := context.Background(), new(bytes.Buffer)
	for _, tc := range []struct {
		name, method, path, auth, want, wantErr string
	}{
		{"post", http.MethodPost, "/token", "Basic x", `{"ok":true}`, ""},
		{"wrong header", http.MethodPost, "/token", "Basic y", "", "POST /token: status 400: bad request"},
		{"not found", http.MethodGet, "/nothing", "", "", "GET /nothing: status 404: no such page"},
		{"a redirect is no success", http.MethodGet, "/moved", "", "", "GET /moved: status 302"},
	} {
		var body []byte
		var err error
		if tc.method == http.MethodPost {
			body, err = c.Post(ctx, srv.URL+tc.path, tc.auth, "grant_type=refresh_token", buf)
		} else {
			body, err = c.Get(ctx, srv.URL+tc.path, buf)
		}
		switch {
		case tc.wantErr == "" && (err != nil || string(body) != tc.want):
			t.Errorf("%s: %q, %v; want %q", tc.name, body, err, tc.want)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
		}
	}
}

func TestBasicAuthFormEncodes(t *testing.T) {
	t.Parallel()
	got := loadhttp.BasicAuth("a:b", "s p")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(got, "Basic "))
	if err != nil || !strings.HasPrefix(got, "Basic ") || string(raw) != "a%3Ab:s+p" {
		t.Fatalf("BasicAuth = %q (%q, %v), want Basic of a%%3Ab:s+p", got, raw, err)
	}
}

// TestParallel: every job runs once when all succeed; after a failure the
// first error is returned and the jobs not yet started never start.
func TestParallel(t *testing.T) {
	t.Parallel()
	var ran [100]atomic.Int32
	perWorker := make([]int, 8) // indexed by worker, so unlocked
	if err := loadhttp.Parallel(len(ran), len(perWorker), func(w, i int) error { ran[i].Add(1); perWorker[w]++; return nil }); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range perWorker {
		total += n
	}
	if total != len(ran) {
		t.Fatalf("the workers counted %d jobs, want %d", total, len(ran))
	}
	for i := range ran {
		if n := ran[i].Load(); n != 1 {
			t.Fatalf("job %d ran %d times", i, n)
		}
	}
	var started atomic.Int32
	boom := errors.New("boom")
	err := loadhttp.Parallel(1000, 1, func(_, i int) error {
		started.Add(1)
		if i == 3 {
			return fmt.Errorf("job %d: %w", i, boom)
		}
		return nil
	})
	if !errors.Is(err, boom) || started.Load() != 4 {
		t.Fatalf("Parallel = %v after %d jobs; want boom after 4", err, started.Load())
	}
	if err := loadhttp.Parallel(0, 8, func(int, int) error { t.Error("a job ran for n = 0"); return nil }); err != nil {
		t.Fatal(err)
	}
}
