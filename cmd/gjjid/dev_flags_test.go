package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/config"
)

// The flags of gjjid dev that edit its configuration are checked as the
// same fields in a file would be; their zero values keep the defaults.
func TestDevConfigFlags(t *testing.T) {
	t.Parallel()
	tracing := func(endpoint string) func(*config.Config) error {
		return func(c *config.Config) error { return devTracing(c, endpoint) }
	}
	tracingOn := func(enabled bool) func(*config.Config) bool {
		return func(c *config.Config) bool {
			return c.Tracing.Enabled() == enabled && c.Tracing.Ratio() == 1 && c.Tracing.ServiceName == "gjjid"
		}
	}
	tokens := func(d time.Duration) func(*config.Config) error {
		return func(c *config.Config) error { return devTokenLifetime(c, d) }
	}
	lifetimes := func(at, id time.Duration) func(*config.Config) bool {
		return func(c *config.Config) bool {
			return c.Tokens.AccessTokenLifetime == at && c.Tokens.IDTokenLifetime == id
		}
	}
	tests := []struct {
		name    string
		apply   func(*config.Config) error
		wantErr string
		check   func(*config.Config) bool
	}{
		{"no tracing", tracing(""), "", tracingOn(false)},
		{"tracing to a collector", tracing("http://127.0.0.1:4318"), "", tracingOn(true)},
		{"tracing not a URL", tracing("127.0.0.1:4318"), "tracing.endpoint: must be an http(s) URL", nil},
		{"default token lifetimes", tokens(0), "", lifetimes(15*time.Minute, time.Hour)},
		{"soak token lifetimes", tokens(2 * time.Minute), "", lifetimes(2*time.Minute, 2*time.Minute)},
		{"negative token lifetime", tokens(-time.Minute), "tokens.access_token_lifetime: must be a positive duration", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := devConfig("127.0.0.1:5556", "", "")
			if err != nil {
				t.Fatal(err)
			}
			err = tt.apply(cfg)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want …%s…", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr == "" && !tt.check(cfg):
				t.Errorf("tracing %+v, tokens %+v", cfg.Tracing, cfg.Tokens)
			}
		})
	}
}
