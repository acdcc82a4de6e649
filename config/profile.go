package config

import (
	"fmt"
	"slices"
)

// ProfileFAPI2 is the client profile of the FAPI 2.0 Security Profile.
const ProfileFAPI2 = "fapi2"

// ValidateProfile checks a client profile against what the profile
// demands of the registration itself (FAPI 2.0 Security Profile §5.3.2):
// a confidential client authenticating with private_key_jwt or mTLS, the
// authorization code flow, and ID tokens not signed with RS256 (only
// PS256, ES256 and EdDSA are allowed; the broker's ES256 default is).
// What it demands of each request (PAR, DPoP) the provider enforces.
func ValidateProfile(profile, authMethod, idTokenAlg string, grants []string) []KeyProblem {
	var out []KeyProblem
	add := func(field, format string, args ...any) {
		out = append(out, KeyProblem{field, fmt.Sprintf(format, args...)})
	}
	switch profile {
	case "":
		return nil
	case ProfileFAPI2:
	default:
		add("profile", "must be fapi2 or empty, got %q", profile)
		return out
	}
	if !slices.Contains([]string{"private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"}, authMethod) {
		add("auth_method", "a fapi2 client authenticates with private_key_jwt, tls_client_auth or self_signed_tls_client_auth (FAPI 2.0 §5.3.2.1), got %q", authMethod)
	}
	if idTokenAlg == "RS256" {
		add("id_token_signed_response_alg", "a fapi2 client may not get RS256-signed tokens (FAPI 2.0 §5.4.1); leave it empty for ES256")
	}
	for _, g := range grants {
		if !slices.Contains([]string{"authorization_code", "refresh_token"}, g) {
			add("grant_types", "a fapi2 client uses the authorization code flow (and refresh tokens), not %s", g)
		}
	}
	return out
}
