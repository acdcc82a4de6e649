package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gjjid/gjjid/config"
)

// TestOffInstallsNothing: without an endpoint no handler, transport or
// client is wrapped, so an untraced broker runs exactly as before.
func TestOffInstallsNothing(t *testing.T) {
	t.Parallel()
	tr, err := New(context.Background(), config.Tracing{ServiceName: "gjjid"})
	if err != nil {
		t.Fatal(err)
	}
	h := http.NewServeMux()
	base := &http.Transport{}
	switch {
	case tr.Enabled():
		t.Error("enabled without an endpoint")
	case tr.Client() != nil:
		t.Error("a client when off")
	case tr.Transport(base) != http.RoundTripper(base):
		t.Error("the transport was wrapped")
	case tr.Transport(nil) != nil:
		t.Error("a transport made up when off")
	}
	if tr.Handler(h) != http.Handler(h) {
		t.Error("the handler was wrapped")
	}
	_, span := tr.Tracer().Start(context.Background(), "x")
	if span.IsRecording() || span.SpanContext().IsValid() {
		t.Error("a no-op provider records spans")
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestOnWrapsAndSamplesByParent(t *testing.T) {
	t.Parallel()
	zero := 0.0
	tr, err := New(context.Background(), config.Tracing{Endpoint: "http://127.0.0.1:1", ServiceName: "gjjid", SamplingRatio: &zero})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Shutdown(context.Background()) })
	if !tr.Enabled() || tr.Client() == nil || tr.Transport(nil) == nil {
		t.Fatal("tracing on wraps nothing")
	}
	// Ratio 0: a trace that starts here is not sampled…
	_, root := tr.Tracer().Start(context.Background(), "root")
	if root.SpanContext().IsSampled() {
		t.Error("ratio 0 sampled a new trace")
	}
	// …but a caller's sampled traceparent is followed.
	req, _ := http.NewRequest(http.MethodGet, "http://broker/", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	ctx := Propagator().Extract(context.Background(), propagation.HeaderCarrier(req.Header))
	_, child := tr.Tracer().Start(ctx, "child")
	if !child.SpanContext().IsSampled() || child.SpanContext().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("child of a sampled traceparent: %v", child.SpanContext())
	}
}

func TestLogHandlerAddsTraceAndSpanIDs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, nil)))
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	defer span.End()

	log.InfoContext(ctx, "with span", "k", "v")
	log.With("component", "x").InfoContext(context.Background(), "without span")
	var lines []map[string]any
	for _, raw := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if lines[0]["trace_id"] != span.SpanContext().TraceID().String() || lines[0]["span_id"] != span.SpanContext().SpanID().String() || lines[0]["k"] != "v" {
		t.Errorf("line with span: %v", lines[0])
	}
	if _, ok := lines[1]["trace_id"]; ok || lines[1]["component"] != "x" {
		t.Errorf("line without span: %v", lines[1])
	}
}
