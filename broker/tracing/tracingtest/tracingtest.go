// Package tracingtest is an in-process OTLP/HTTP trace receiver for
// tests, in the style of net/http/httptest: NewReceiver starts it on a
// loopback port, tracing.endpoint points at its URL, and Spans returns
// what the broker exported, decoded from the protobuf
// ExportTraceServiceRequest as a collector would.
package tracingtest

import (
	"compress/gzip"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Span is one exported span with its resource's attributes.
type Span struct {
	*tracepb.Span
	Resource []*commonpb.KeyValue
}

// TraceID is the span's trace ID in hex, as in traceparent.
func (s Span) TraceID() string { return hex.EncodeToString(s.Span.GetTraceId()) }

// SpanID is the span's ID in hex.
func (s Span) SpanID() string { return hex.EncodeToString(s.Span.GetSpanId()) }

// ParentID is the parent span's ID in hex; "" for a root span.
func (s Span) ParentID() string { return hex.EncodeToString(s.Span.GetParentSpanId()) }

// Attr is the string form of the span attribute key; "" when absent.
func (s Span) Attr(key string) string {
	for _, kv := range s.GetAttributes() {
		if kv.GetKey() == key {
			return String(kv.GetValue())
		}
	}
	return ""
}

// Strings lists every text of the span a reader of the trace sees: its
// name, status message, the keys and values of its, its events', its
// links' and its resource's attributes (nested values included), and its
// events' names.
func (s Span) Strings() []string {
	out := []string{s.GetName(), s.GetStatus().GetMessage(), s.GetTraceState()}
	add := func(kvs []*commonpb.KeyValue) {
		for _, kv := range kvs {
			out = append(out, kv.GetKey())
			out = appendValue(out, kv.GetValue())
		}
	}
	add(s.GetAttributes())
	add(s.Resource)
	for _, e := range s.GetEvents() {
		out = append(out, e.GetName())
		add(e.GetAttributes())
	}
	for _, l := range s.GetLinks() {
		add(l.GetAttributes())
	}
	return out
}

func appendValue(out []string, v *commonpb.AnyValue) []string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_ArrayValue:
		for _, e := range x.ArrayValue.GetValues() {
			out = appendValue(out, e)
		}
	case *commonpb.AnyValue_KvlistValue:
		for _, kv := range x.KvlistValue.GetValues() {
			out = append(out, kv.GetKey())
			out = appendValue(out, kv.GetValue())
		}
	case *commonpb.AnyValue_BytesValue:
		out = append(out, string(x.BytesValue))
	default:
		out = append(out, String(v))
	}
	return out
}

// String is a scalar value as text ("" for arrays and maps).
func String(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_DoubleValue:
		return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	}
	return ""
}

// Receiver is a running OTLP/HTTP receiver of traces.
type Receiver struct {
	*httptest.Server

	mu      sync.Mutex
	spans   []Span
	headers []http.Header
	errs    []string
}

// NewReceiver starts a receiver; close it when done.
func NewReceiver() *Receiver {
	r := &Receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// Spans returns every span received so far.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// Headers returns the headers of every export request received.
func (r *Receiver) Headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.headers...)
}

// Errors returns what was wrong with requests that were not valid
// exports (wrong path, method, content type or body).
func (r *Receiver) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

func (r *Receiver) fail(w http.ResponseWriter, status int, msg string) {
	r.mu.Lock()
	r.errs = append(r.errs, msg)
	r.mu.Unlock()
	http.Error(w, msg, status)
}

// serve answers as the OTLP specification's OTLP/HTTP section asks: POST
// /v1/traces, a binary protobuf body (optionally gzip), a protobuf
// ExportTraceServiceResponse.
func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
		r.fail(w, http.StatusNotFound, req.Method+" "+req.URL.Path+": want POST /v1/traces")
		return
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-protobuf" {
		r.fail(w, http.StatusUnsupportedMediaType, "content type "+ct)
		return
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(req.Body)
		if err != nil {
			r.fail(w, http.StatusBadRequest, "gzip: "+err.Error())
			return
		}
		body = gz
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		r.fail(w, http.StatusBadRequest, "read: "+err.Error())
		return
	}
	var export coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &export); err != nil {
		r.fail(w, http.StatusBadRequest, "decode: "+err.Error())
		return
	}
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Clone())
	for _, rs := range export.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				r.spans = append(r.spans, Span{Span: sp, Resource: rs.GetResource().GetAttributes()})
			}
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}
