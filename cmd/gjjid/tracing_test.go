package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigCheckTracing: config check names a wrong tracing field and
// says where a valid file's spans go, without its header values.
func TestConfigCheckTracing(t *testing.T) {
	t.Parallel()
	base := "issuer: https://sso.example.com\n"
	tests := []struct {
		name, yaml string
		code       int
		want       string
	}{
		{"off", "", 0, "tracing: off"},
		{"on", "tracing:\n  endpoint: https://otlp.example.cn/\n  sampling_ratio: 0.25\n  headers: {X-Api-Key: key-8d1f}\n", 0,
			"tracing: OTLP/HTTP to https://otlp.example.cn/v1/traces as gjjid, sampling 0.25 of new traces (parent-based), 1 header(s)"},
		{"ratio", "tracing:\n  endpoint: http://c:4318\n  sampling_ratio: 1.5\n", 1, "tracing.sampling_ratio: line 4: must be between 0 and 1"},
		{"endpoint", "tracing:\n  endpoint: c:4318\n", 1, "tracing.endpoint: line 3: must be an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "gjjid.yaml")
			if err := os.WriteFile(path, []byte(base+tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			code := configCheck(path, &out, &errOut)
			if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.want) {
				t.Errorf("exit %d, output:\n%s%s\nwant exit %d and %q", code, out.String(), errOut.String(), tt.code, tt.want)
			}
			if strings.Contains(out.String()+errOut.String(), "key-8d1f") {
				t.Error("config check printed a header value")
			}
		})
	}
}
