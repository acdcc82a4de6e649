package config

import "time"

// DPoP configures the checks of DPoP proofs (RFC 9449).
type DPoP struct {
	// ProofLifetime is how old a proof's iat may be (default 60s, at most
	// 5m); proof IDs are remembered this long (plus a 10 s clock skew) to
	// refuse a replay.
	ProofLifetime time.Duration `yaml:"proof_lifetime"`
	// RequireNonce makes the token endpoint accept only proofs carrying a
	// server nonce (§8), handed out in the DPoP-Nonce response header.
	RequireNonce bool `yaml:"require_nonce"`
}

const maxDPoPProofLifetime = 5 * time.Minute

func (d DPoP) validate(ps *Problems) {
	positive(ps, "dpop.proof_lifetime", d.ProofLifetime)
	if d.ProofLifetime > maxDPoPProofLifetime {
		ps.add("dpop.proof_lifetime", "must be at most %v (a proof is meant for one request), got %v", maxDPoPProofLifetime, d.ProofLifetime)
	}
}
