// Package webtx makes an HTTP change one database transaction: the
// handler runs under a context that carries the transaction (the store's
// WithTx), its answer held back until the transaction commits. The admin
// API and the staff and unit pages use it so that a change and its audit
// events are written together or not at all.
package webtx

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Tx runs fn with a context under which every durable write is one
// transaction, committed when fn returns nil (combined.Store.WithTx over
// PostgreSQL).
type Tx func(ctx context.Context, fn func(ctx context.Context) error) error

// Of returns st's WithTx when st can make transactions, else nil.
func Of(st any) Tx {
	if t, ok := st.(interface {
		WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	}); ok {
		return t.WithTx
	}
	return nil
}

// errServerError rolls back a change whose handler answered a server error.
var errServerError = errors.New("webtx: the handler answered a server error")

// Wrap runs next in one transaction of tx. A handler that returns an error
// or answers 5xx is rolled back (its answer is sent as it is); a 4xx answer
// (bad input, which writes nothing but the audit of the refusal) commits,
// as does any other. When the commit fails nothing was written and nothing
// of the held answer was sent: failed answers instead. With tx nil, next
// runs as it is.
func Wrap(tx Tx, next echo.HandlerFunc, failed func(c echo.Context, err error) error) echo.HandlerFunc {
	if tx == nil {
		return next
	}
	return func(c echo.Context) error {
		r := c.Request()
		res := c.Response()
		orig := res.Writer
		held := NewRecorder()
		res.Writer = held
		var herr error
		err := tx(r.Context(), func(ctx context.Context) error {
			c.SetRequest(r.WithContext(ctx))
			if herr = next(c); herr != nil {
				return herr
			}
			if res.Status >= http.StatusInternalServerError {
				return errServerError
			}
			return nil
		})
		res.Writer = orig
		c.SetRequest(r)
		switch {
		case herr != nil:
			// Echo's error handler answers the handler's own error.
			res.Committed = false
			return herr
		case err != nil && !errors.Is(err, errServerError):
			res.Committed = false
			return failed(c, err)
		}
		for k, v := range held.Header() {
			orig.Header()[k] = v
		}
		orig.WriteHeader(held.Status())
		_, werr := orig.Write(held.Body())
		return werr
	}
}

// Recorder keeps a handler's answer in memory: its header, status (the
// first written; 200 when the handler only wrote a body) and body.
type Recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{header: http.Header{}} }

// Header is the answer's header.
func (r *Recorder) Header() http.Header { return r.header }

// WriteHeader keeps the first status.
func (r *Recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// Write keeps b (status 200 unless one was written).
func (r *Recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// Status is the answer's status; 200 when none was written.
func (r *Recorder) Status() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// Body is what was written.
func (r *Recorder) Body() []byte { return r.body.Bytes() }
