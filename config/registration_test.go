package config

import (
	"strings"
	"testing"
)

func TestRegistrationValidation(t *testing.T) {
	t.Parallel()
	good := secret(7) // 44 characters of base64
	const path = "registration.initial_access_tokens"
	tests := []struct {
		name     string
		reg      Registration
		path     string // "" valid
		contains string
	}{
		{"off by default", Registration{}, "", ""},
		{"enabled with a token", Registration{Enabled: true, InitialAccessTokens: []string{good}}, "", ""},
		{"tokens kept while disabled", Registration{InitialAccessTokens: []string{good}}, "", ""},
		{"enabled without tokens", Registration{Enabled: true}, path, "required with registration.enabled"},
		{"short token", Registration{Enabled: true, InitialAccessTokens: []string{good, strings.Repeat("a", 31)}}, path + "[1]", "at least 32 characters"},
		{"short token while disabled", Registration{InitialAccessTokens: []string{"short"}}, path + "[0]", "at least 32 characters"},
		{"not a bearer token", Registration{Enabled: true, InitialAccessTokens: []string{strings.Repeat("a", 31) + " b"}}, path + "[0]", "must be a bearer token"},
		{"padding only at the end", Registration{Enabled: true, InitialAccessTokens: []string{strings.Repeat("a", 31) + "=b"}}, path + "[0]", "must be a bearer token"},
		{"duplicate", Registration{Enabled: true, InitialAccessTokens: []string{good, good}}, path + "[1]", "duplicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			c.Registration = tc.reg
			err := c.Validate()
			if tc.path == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantProblem(t, err, tc.path, tc.contains)
		})
	}
}

func TestRegistrationTokensFromEnvironment(t *testing.T) {
	tok := secret(9)
	t.Setenv("GJJID_TEST_REGISTRATION_TOKEN", tok)
	cfg, err := Parse([]byte(`issuer: https://sso.example.com
registration:
  enabled: true
  initial_access_tokens:
    - ${GJJID_TEST_REGISTRATION_TOKEN}
`))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Registration.Enabled || len(cfg.Registration.InitialAccessTokens) != 1 || cfg.Registration.InitialAccessTokens[0] != tok {
		t.Fatalf("registration = %+v", cfg.Registration)
	}
}
