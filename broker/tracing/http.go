package tracing

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Handler wraps the broker's top-level handler in a server span per
// request, a child of the caller's traceparent when it sends one (W3C
// Trace Context §3.2). The span is named by method until the router
// names it by route (NameRoute). Off: h itself.
func (t *Tracing) Handler(h http.Handler) http.Handler {
	if !t.Enabled() {
		return h
	}
	return otelhttp.NewHandler(h, "gjjid",
		otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithPropagators(Propagator()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }))
}

// NameRoute names the request's server span by route pattern, e.g.
// "GET /login/:connector", and records it as http.route: a pattern, never
// the path with its IDs.
func NameRoute(r *http.Request, route string) {
	span := trace.SpanFromContext(r.Context())
	if !span.IsRecording() || route == "" {
		return
	}
	span.SetName(r.Method + " " + route)
	span.SetAttributes(attribute.String("http.route", route))
}

// Transport wraps base (nil: http.DefaultTransport) in a client span per
// upstream call, named by method and host, with traceparent sent along.
// Its url.full loses the query on export (scrub.go). Off: base itself.
func (t *Tracing) Transport(base http.RoundTripper) http.RoundTripper {
	if !t.Enabled() {
		return base
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return otelhttp.NewTransport(base,
		otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithPropagators(Propagator()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Host }))
}

// Client is an http.Client over Transport(nil), for the connectors'
// upstream calls (connectors.Deps.HTTPClient): no timeout and default
// redirects, which each connector replaces with its own. Off: nil, so
// connectors build their own clients as without tracing.
func (t *Tracing) Client() *http.Client {
	if !t.Enabled() {
		return nil
	}
	return &http.Client{Transport: t.Transport(nil)}
}
