package tracing

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestScrubbingRemovesQueriesAndPersonalNumbers records spans as the
// instrumentation libraries do and checks what the exporter is handed.
func TestScrubbingRemovesQueriesAndPersonalNumbers(t *testing.T) {
	t.Parallel()
	mem := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(scrubbing{mem}))
	tr := tp.Tracer("test")

	_, span := tr.Start(context.Background(), "GET /persons/11010519491231002X", trace.WithAttributes(
		attribute.String("url.full", "https://user:pw@dysmsapi.example.cn/sms/?PhoneNumbers=13800138000&TemplateParam=%7B%22code%22%3A%22123456%22%7D#frag"),
		attribute.String("url.query", "code=abc&state=xyz"),
		attribute.String("url.path", "/admin/v1/persons/11010519491231002X"),
		attribute.StringSlice("peer.mobiles", []string{"13800138000", "plain"}),
		attribute.Int("http.response.status_code", 200),
	))
	span.AddEvent("retry for 13800138000", trace.WithAttributes(attribute.String("mobile", "138 0013 8000")))
	span.RecordError(errors.New("send to 13800138000 failed"))
	span.SetStatus(codes.Error, "mobile 13800138000 refused")
	span.End()

	got := mem.GetSpans()
	if len(got) != 1 {
		t.Fatalf("%d spans exported", len(got))
	}
	s := got[0]
	attrs := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		attrs[kv.Key] = kv.Value
	}
	tests := []struct {
		name, got, want string
	}{
		{"url.full", attrs["url.full"].AsString(), "https://dysmsapi.example.cn/sms/"},
		{"url.path", attrs["url.path"].AsString(), "/admin/v1/persons/110***********002X"},
		{"span name", s.Name, "GET /persons/110***********002X"},
		{"string slice", strings.Join(attrs["peer.mobiles"].AsStringSlice(), ","), "138****8000,plain"},
		{"status", s.Status.Description, "mobile 138****8000 refused"},
		{"event name", s.Events[0].Name, "retry for 138****8000"},
		{"event attribute", s.Events[0].Attributes[0].Value.AsString(), "138****8000"},
		{"int untouched", attrs["http.response.status_code"].String(), "200"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if _, ok := attrs["url.query"]; ok {
		t.Errorf("url.query exported: %v", attrs["url.query"].AsString())
	}
	for _, e := range s.Events {
		for _, kv := range e.Attributes {
			if strings.Contains(kv.Value.String(), "13800138000") {
				t.Errorf("event %s attribute %s = %s", e.Name, kv.Key, kv.Value.String())
			}
		}
	}
}

func TestStripURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"https://cas.example.cn/serviceValidate?ticket=ST-1&service=x", "https://cas.example.cn/serviceValidate"},
		{"https://u:p@h.example.cn/p#access_token=abc", "https://h.example.cn/p"},
		{"https://h.example.cn/p?", "https://h.example.cn/p"},
		{"http://h.example.cn/users/13800138000", "http://h.example.cn/users/138****8000"},
		{"://bad\x7f", "(unparsable URL)"},
	} {
		if got := StripURL(tt.in); got != tt.want {
			t.Errorf("StripURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
