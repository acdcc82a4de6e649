// Package tracing builds gjjid's OpenTelemetry tracer provider: spans are
// batched and sent over OTLP/HTTP to tracing.endpoint, W3C Trace Context
// (traceparent, tracestate) is read from and written to HTTP headers, and
// every span is scrubbed before export (scrub.go). With tracing off the
// provider is OpenTelemetry's no-op one and the broker installs no
// middleware, hook or transport at all, so an untraced broker pays nothing.
//
// Nothing here sets OpenTelemetry's globals: a broker hands its Tracing to
// the parts it builds, so several brokers (tests) can share a process.
// cmd/gjjid sets the globals for the libraries that only know them.
package tracing

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gjjid/gjjid/config"
)

// Scope is the instrumentation scope of the broker's own spans.
const Scope = "github.com/gjjid/gjjid"

// Tracing is one broker's tracer provider and propagator. The zero value
// and Off() are off. It is safe for concurrent use.
type Tracing struct {
	sdk *sdktrace.TracerProvider // nil when off
	tp  trace.TracerProvider
}

// Off is tracing switched off: a no-op provider.
func Off() *Tracing { return &Tracing{tp: noop.NewTracerProvider()} }

// New builds the tracer provider cfg asks for; with no endpoint it is Off.
// The exporter connects lazily, so an unreachable collector does not stop
// the broker from starting: its spans are dropped after the exporter's
// retries.
func New(ctx context.Context, cfg config.Tracing) (*Tracing, error) {
	if !cfg.Enabled() {
		return Off(), nil
	}
	exp, err := otlptracehttp.New(ctx,
		otlptracehttp.WithEndpointURL(strings.TrimSuffix(cfg.Endpoint, "/")+"/v1/traces"),
		otlptracehttp.WithHeaders(cfg.Headers))
	if err != nil {
		return nil, fmt.Errorf("tracing: exporter for %s: %w", cfg.Endpoint, err)
	}
	sdk := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(scrubbing{exp}),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", cfg.ServiceName))),
		// A relying party that sends traceparent decides for its requests;
		// the ratio applies to traces that start here.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.Ratio()))),
	)
	return &Tracing{sdk: sdk, tp: sdk}, nil
}

// Enabled reports whether spans are recorded and exported.
func (t *Tracing) Enabled() bool { return t != nil && t.sdk != nil }

// TracerProvider is the provider, or a no-op one when off.
func (t *Tracing) TracerProvider() trace.TracerProvider {
	if t == nil || t.tp == nil {
		return noop.NewTracerProvider()
	}
	return t.tp
}

// Tracer is the tracer of the broker's own spans.
func (t *Tracing) Tracer() trace.Tracer { return t.TracerProvider().Tracer(Scope) }

// Propagator reads and writes W3C Trace Context headers (traceparent,
// tracestate). Baggage is not propagated: a relying party's baggage would
// be forwarded to upstreams it knows nothing of.
func Propagator() propagation.TextMapPropagator { return propagation.TraceContext{} }

// Shutdown exports the spans still buffered and stops the exporter; ctx
// bounds the wait for an unreachable collector.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	if err := t.sdk.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: shutdown: %w", err)
	}
	return nil
}
