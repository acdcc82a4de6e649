package pages

import (
	"bytes"
	"io"
	"net/http"

	"github.com/gjjid/gjjid/broker/webtx"
)

// inProcess is an http.RoundTripper that serves requests with a handler in
// this process: the sign-in talks to the broker's own token and key
// endpoints without a network hop, whatever the public issuer URL is.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	in := r.Clone(r.Context())
	in.RemoteAddr = "127.0.0.1:0"
	in.RequestURI = in.URL.RequestURI()
	if in.Host == "" {
		in.Host = in.URL.Host
	}
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := webtx.NewRecorder()
	t.h.ServeHTTP(rec, in)
	status, body := rec.Status(), rec.Body()
	return &http.Response{
		Status: http.StatusText(status), StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}, nil
}
