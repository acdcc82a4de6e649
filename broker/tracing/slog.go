package tracing

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// LogHandler adds trace_id and span_id to every record logged with a
// context that carries a span (slog's …Context methods), so a log line
// and its trace find each other. Records without one pass unchanged.
type LogHandler struct{ next slog.Handler }

var _ slog.Handler = LogHandler{}

// NewLogHandler wraps next.
func NewLogHandler(next slog.Handler) LogHandler { return LogHandler{next: next} }

// Enabled reports whether next handles level.
func (h LogHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle adds the span's IDs and passes r on.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs adds as to next.
func (h LogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return LogHandler{next: h.next.WithAttrs(as)}
}

// WithGroup opens a group on next. The IDs then land inside the group,
// as every attribute added later does.
func (h LogHandler) WithGroup(name string) slog.Handler {
	return LogHandler{next: h.next.WithGroup(name)}
}
