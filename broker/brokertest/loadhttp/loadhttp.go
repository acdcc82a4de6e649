// Package loadhttp is the HTTP side of the broker's load measurements,
// shared by the endpoint benchmarks (broker/bench_test.go) and the load
// generator (cmd/gjjid-load): token-endpoint requests whose only success
// is 200, client_secret_basic headers, and preparation work spread over a
// few workers. It keeps the two from drifting apart in what they count as
// a success.
package loadhttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// BasicAuth is the Authorization header of client_secret_basic (RFC 6749
// §2.3.1: ID and secret form-encoded first).
func BasicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// Client sends measured requests. Only 200 is a success: any other status
// is an error quoting the start of the body.
type Client struct{ HTTP *http.Client }

// Post sends a form with an Authorization header; buf receives the body,
// and the result is buf's bytes.
func (c Client) Post(ctx context.Context, u, auth, form string, buf *bytes.Buffer) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", auth)
	return c.Do(req, buf)
}

// Get fetches u; buf receives the body.
func (c Client) Get(ctx context.Context, u string, buf *bytes.Buffer) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req, buf)
}

// Do sends req and reads the whole body into buf, so the connection goes
// back to the pool.
func (c Client) Do(req *http.Request, buf *bytes.Buffer) ([]byte, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: status %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, buf.Bytes())
	}
	return buf.Bytes(), nil
}

// Parallel runs job(w, 0) … job(w, n-1) on at most workers goroutines and
// returns the first error; after an error no further job starts. w is the
// worker (0 ≤ w < workers) running the job: a worker runs its jobs one
// after another, so state indexed by w needs no lock.
func Parallel(n, workers int, job func(w, i int) error) error {
	var (
		next     atomic.Int64
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for w := range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := job(w, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}
