package config

import (
	"strings"
	"testing"
)

func ratio(r float64) *float64 { return &r }

func TestValidateRejectsTracing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tracing Tracing
		path    string
		msg     string
	}{
		{"relative endpoint", Tracing{Endpoint: "collector:4318"}, "tracing.endpoint", "must be an http(s) URL"},
		{"grpc endpoint", Tracing{Endpoint: "grpc://collector:4317"}, "tracing.endpoint", "must be an http(s) URL"},
		{"no host", Tracing{Endpoint: "http://"}, "tracing.endpoint", "must be an http(s) URL"},
		{"user info", Tracing{Endpoint: "https://key:secret@collector:4318"}, "tracing.endpoint", "must not contain user info"},
		{"query", Tracing{Endpoint: "http://collector:4318?k=v"}, "tracing.endpoint", "must not have a query"},
		{"ratio negative", Tracing{Endpoint: "http://collector:4318", SamplingRatio: ratio(-0.1)}, "tracing.sampling_ratio", "must be between 0 and 1, got -0.1"},
		{"ratio above one", Tracing{Endpoint: "http://collector:4318", SamplingRatio: ratio(1.5)}, "tracing.sampling_ratio", "must be between 0 and 1, got 1.5"},
		{"ratio checked while off", Tracing{SamplingRatio: ratio(2)}, "tracing.sampling_ratio", "must be between 0 and 1"},
		{"header name", Tracing{Endpoint: "http://c:4318", Headers: map[string]string{"X Api Key": "k"}}, "tracing.headers.X Api Key", "must be an HTTP header name"},
		{"header line break", Tracing{Endpoint: "http://c:4318", Headers: map[string]string{"X-Api-Key": "k\r\nX-Evil: 1"}}, "tracing.headers.X-Api-Key", "must not contain a line break"},
		{"content type header", Tracing{Endpoint: "http://c:4318", Headers: map[string]string{"content-type": "text/plain"}}, "tracing.headers.content-type", "is set by the exporter"},
		{"service name blank", Tracing{Endpoint: "http://c:4318", ServiceName: " "}, "tracing.service_name", "must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			c.Tracing = tt.tracing
			c.Tracing.applyDefaults()
			wantProblem(t, c.Validate(), tt.path, tt.msg)
		})
	}
}

func TestTracingDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		yaml      string
		enabled   bool
		ratio     float64
		service   string
		headerKey string
		header    string
	}{
		{"off by default", "", false, 1, "gjjid", "", ""},
		{"ratio 1 when enabled", "tracing: {endpoint: http://collector:4318}\n", true, 1, "gjjid", "", ""},
		{"explicit zero ratio kept", "tracing: {endpoint: http://collector:4318, sampling_ratio: 0}\n", true, 0, "gjjid", "", ""},
		{"set values kept", "tracing:\n  endpoint: https://otlp.example.cn\n  sampling_ratio: 0.25\n  service_name: gjjid-test\n  headers:\n    X-Api-Key: ${OTLP_KEY}\n",
			true, 0.25, "gjjid-test", "X-Api-Key", "from-env"},
	}
	env := map[string]string{"OTLP_KEY": "from-env"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := parse([]byte(minimal+tt.yaml), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			tr := cfg.Tracing
			if tr.Enabled() != tt.enabled || tr.Ratio() != tt.ratio || tr.ServiceName != tt.service {
				t.Errorf("tracing = %+v (enabled %v, ratio %v), want enabled %v, ratio %v, service %q", tr, tr.Enabled(), tr.Ratio(), tt.enabled, tt.ratio, tt.service)
			}
			if tt.headerKey != "" && tr.Headers[tt.headerKey] != tt.header {
				t.Errorf("headers = %v, want %s: %s", tr.Headers, tt.headerKey, tt.header)
			}
		})
	}
}

// TestParseRejectsTracingShapes: wrong YAML shapes under tracing are named
// with their path and line, like every other key.
func TestParseRejectsTracingShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, path, msg string
	}{
		{"headers as a list", "tracing:\n  endpoint: http://c:4318\n  headers: [a, b]\n", "tracing.headers", "expected a mapping"},
		{"header value a mapping", "tracing:\n  endpoint: http://c:4318\n  headers: {X-Api-Key: {a: b}}\n", "tracing.headers.X-Api-Key", "expected a string"},
		{"duplicate header", "tracing:\n  endpoint: http://c:4318\n  headers:\n    X-A: one\n    X-A: two\n", "tracing.headers.X-A", "duplicate key"},
		{"ratio a word", "tracing:\n  endpoint: http://c:4318\n  sampling_ratio: half\n", "tracing.sampling_ratio", "expected a number"},
		{"unknown key", "tracing:\n  endpoint: http://c:4318\n  sampler: always\n", "tracing.sampler", "unknown key"},
		{"ratio out of range, with line", "tracing:\n  endpoint: http://c:4318\n  sampling_ratio: 10\n", "tracing.sampling_ratio", "line 8: must be between 0 and 1"},
		{"unset env in header", "tracing:\n  endpoint: http://c:4318\n  headers:\n    X-Api-Key: ${NOT_SET_ANYWHERE}\n", "tracing.headers.X-Api-Key", "NOT_SET_ANYWHERE is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parse([]byte(minimal+tt.yaml), func(string) (string, bool) { return "", false })
			wantProblem(t, err, tt.path, tt.msg)
			if err != nil && !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error does not name %s: %v", tt.path, err)
			}
		})
	}
}
