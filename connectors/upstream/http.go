package upstream

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Defaults and bounds of the upstream HTTP calls.
const (
	DefaultTimeout = 10 * time.Second
	MinTimeout     = time.Second
	MaxTimeout     = time.Minute
	// MaxBody caps every upstream answer: discovery documents, key sets,
	// token and user-info answers and CAS validation XML are a few KB.
	MaxBody = 1 << 20
)

// ErrTooLarge is the error of reading an answer beyond its cap.
var ErrTooLarge = errors.New("upstream answer too large")

// NewHTTPClient returns a client whose requests time out after timeout,
// that follows no redirects (upstream APIs answer directly; a redirect
// would leak a query-string secret to another host) and whose response
// bodies fail with ErrTooLarge past maxBody bytes. base may be nil
// (http.DefaultTransport).
func NewHTTPClient(base http.RoundTripper, timeout time.Duration, maxBody int64) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	if maxBody <= 0 {
		maxBody = MaxBody
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: capped{base: base, max: maxBody},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

type capped struct {
	base http.RoundTripper
	max  int64
}

func (c capped) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > c.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes announced, at most %d", ErrTooLarge, resp.ContentLength, c.max)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: c.max}
	return resp, nil
}

// limitedBody fails (rather than truncating silently) past its limit.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One more byte tells a body of exactly the cap from a longer one.
		var one [1]byte
		if n, _ := l.rc.Read(one[:]); n > 0 {
			return 0, ErrTooLarge
		}
		return l.rc.Read(p)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// ReadBody reads a response body (already capped by the client) and
// closes it.
func ReadBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, Redact(err)
	}
	return b, nil
}

// Redact removes the query from the URL of a *url.Error (what http.Client
// returns): query strings may carry a client secret or an access token,
// and error texts end up in logs.
func Redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: StripQuery(ue.URL), Err: ue.Err}
	}
	return err
}

// StripQuery is u without query and fragment, for logs.
func StripQuery(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	p.RawQuery, p.Fragment, p.User = "", "", nil
	return p.String()
}
