package ops

import (
	"io"
	"log/slog"

	"github.com/gjjid/gjjid/broker/logmask"
	"github.com/gjjid/gjjid/broker/tracing"
)

// NewLogger builds the broker's slog logger: JSON (or text) at level, with
// ID numbers and mobile numbers masked wherever they appear, so no code
// path can log them in the clear by accident, and the trace and span IDs
// of the context's span on every line logged with one (…Context methods).
func NewLogger(level, format string, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lvl, ReplaceAttr: logmask.ReplaceAttr}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(tracing.NewLogHandler(logmask.NewHandler(h)))
}
