package main

import (
	"strings"
	"testing"
	"time"
)

// gjjid dev --token-lifetime sets both token lifetimes, checked as a file's
// tokens.* would be; 0 keeps the defaults.
func TestDevTokenLifetimeFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		flag           time.Duration
		wantAT, wantID time.Duration
		wantErr        string
	}{
		{"defaults", 0, 15 * time.Minute, time.Hour, ""},
		{"soak", 2 * time.Minute, 2 * time.Minute, 2 * time.Minute, ""},
		{"negative", -time.Minute, 0, 0, "tokens.access_token_lifetime: must be a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := devConfig("127.0.0.1:5556", "", "")
			if err != nil {
				t.Fatal(err)
			}
			err = devTokenLifetime(cfg, tt.flag)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want …%s…", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr == "" && (cfg.Tokens.AccessTokenLifetime != tt.wantAT || cfg.Tokens.IDTokenLifetime != tt.wantID):
				t.Errorf("lifetimes %v / %v, want %v / %v", cfg.Tokens.AccessTokenLifetime, cfg.Tokens.IDTokenLifetime, tt.wantAT, tt.wantID)
			}
		})
	}
}
