package main

import (
	"testing"

	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/cas"
	"github.com/gjjid/gjjid/connectors/oauth2"
	"github.com/gjjid/gjjid/connectors/oidc"
)

// TestExampleProvincialConnectors: the provincial platform entries of
// config/example.yaml pass their connectors' own checks, not only the
// schema's.
func TestExampleProvincialConnectors(t *testing.T) {
	for k, v := range map[string]string{"GJJID_KEY_ENCRYPTION_KEY": secret64(), "GJJID_TOKEN_KEY": secret64(), "GJJID_PEPPER": secret64(),
		"GJJID_ID_HASH_KEY": secret64(), "GJJID_COOKIE_KEY": secret64(), "GJJID_PORTAL_SECRET": "p", "GJJID_ADMIN_SECRET": "a",
		"GJJID_SEED_PASSWORD": "860412", "GJJID_GD_CLIENT_SECRET": "gd-secret"} {
		t.Setenv(k, v)
	}
	cfg, err := config.Load("../../config/example.yaml")
	if err != nil {
		t.Fatalf("example.yaml (add what it needs from the environment to this test): %v", err)
	}
	var ours []config.Connector
	for _, c := range cfg.Connectors {
		if c.Type == oidc.Type || c.Type == cas.Type || c.Type == oauth2.Type {
			ours = append(ours, c)
		}
	}
	if len(ours) == 0 {
		t.Fatal("example.yaml has no provincial platform entry")
	}
	cfg.Connectors = ours
	if errs := checkConnectors(cfg); len(errs) > 0 {
		t.Fatalf("example.yaml: %v", errs)
	}
}
