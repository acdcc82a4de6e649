package config

import (
	"os"
	"testing"
)

// FuzzParse: no input makes the parser panic, and a file it accepts
// validates cleanly (Parse returns problems instead of a half-checked
// config). Run longer with: go test ./config -fuzz FuzzParse
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("example.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"issuer: http://127.0.0.1:5556\n",
		"issuer: ${NOPE}\nclients: [{id: a, redirect_uris: ['/x']}]\n",
		"connectors: [{id: p, type: password, config: {max_failures: 0}}]\n",
		"{a: [1, 2, {b: c}]}\n---\nx: y\n",
		"clients:\n  - <<: *missing\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err == nil {
			if verr := cfg.Validate(); verr != nil {
				t.Fatalf("Parse accepted a config that Validate rejects: %v", verr)
			}
		}
	})
}
