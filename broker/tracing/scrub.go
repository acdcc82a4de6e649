package tracing

import (
	"context"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gjjid/gjjid/broker/logmask"
)

// scrubbing is the exporter's last line of defence: instrumentation the
// broker does not write (otelhttp, redisotel, the OP library) records
// what its authors found useful, and some of that must never leave the
// process. Every span is rewritten before export:
//   - url.full (an upstream call) loses its query, fragment and user info:
//     query strings carry SMS template parameters and mobiles (Alibaba
//     Cloud's RPC API), OAuth codes, CAS tickets and access tokens;
//   - url.query (a request to the broker) is dropped: it carries codes,
//     states and login hints (RFC 6749 §4.1.2, OpenID Connect Core §3.1.2.1);
//   - every other string (span names, attributes, events, links, status)
//     has ID-number- and mobile-shaped digit runs masked, as the logs do
//     (broker/logmask).
type scrubbing struct{ sdktrace.SpanExporter }

// ExportSpans exports the scrubbed spans.
func (s scrubbing) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	for i, sp := range spans {
		out[i] = scrubbed{sp}
	}
	return s.SpanExporter.ExportSpans(ctx, out)
}

// scrubbed is a span as exported: ReadOnlySpan with the sensitive parts
// of its strings removed.
type scrubbed struct{ sdktrace.ReadOnlySpan }

func (s scrubbed) Name() string { return logmask.Mask(s.ReadOnlySpan.Name()) }

func (s scrubbed) Attributes() []attribute.KeyValue { return scrubAttrs(s.ReadOnlySpan.Attributes()) }

func (s scrubbed) Events() []sdktrace.Event {
	in := s.ReadOnlySpan.Events()
	out := make([]sdktrace.Event, len(in))
	for i, e := range in {
		e.Name = logmask.Mask(e.Name)
		e.Attributes = scrubAttrs(e.Attributes)
		out[i] = e
	}
	return out
}

func (s scrubbed) Links() []sdktrace.Link {
	in := s.ReadOnlySpan.Links()
	out := make([]sdktrace.Link, len(in))
	for i, l := range in {
		l.Attributes = scrubAttrs(l.Attributes)
		out[i] = l
	}
	return out
}

func (s scrubbed) Status() sdktrace.Status {
	st := s.ReadOnlySpan.Status()
	if st.Code == codes.Error {
		st.Description = logmask.Mask(st.Description)
	}
	return st
}

// Keys whose values scrubAttrs treats specially (OpenTelemetry semantic
// conventions, url.*).
const (
	keyURLFull  = attribute.Key("url.full")
	keyURLQuery = attribute.Key("url.query")
)

func scrubAttrs(in []attribute.KeyValue) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(in))
	for _, kv := range in {
		switch {
		case kv.Key == keyURLQuery:
			continue
		case kv.Key == keyURLFull:
			kv.Value = attribute.StringValue(StripURL(kv.Value.AsString()))
		case kv.Value.Type() == attribute.STRING:
			kv.Value = attribute.StringValue(logmask.Mask(kv.Value.AsString()))
		case kv.Value.Type() == attribute.STRINGSLICE:
			ss := kv.Value.AsStringSlice()
			for i := range ss {
				ss[i] = logmask.Mask(ss[i])
			}
			kv.Value = attribute.StringSliceValue(ss)
		}
		out = append(out, kv)
	}
	return out
}

// StripURL is u without user info, query and fragment, its digit runs
// masked; an unparsable URL becomes a placeholder rather than a leak.
func StripURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	p.User, p.RawQuery, p.ForceQuery, p.Fragment, p.RawFragment = nil, "", false, "", ""
	return logmask.Mask(p.String())
}
