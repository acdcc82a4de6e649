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
	positiveUpTo(ps, "dpop.proof_lifetime", d.ProofLifetime, maxDPoPProofLifetime, "a proof is meant for one request")
}

// PAR configures pushed authorization requests (RFC 9126).
type PAR struct {
	// RequestURILifetime is how long a pushed request_uri can be used
	// (default and at most 60s).
	RequestURILifetime time.Duration `yaml:"request_uri_lifetime"`
	// Required refuses authorization requests of every client that did
	// not push them first.
	Required bool `yaml:"required"`
}

const maxPARLifetime = 60 * time.Second

func (p PAR) validate(ps *Problems) {
	positiveUpTo(ps, "par.request_uri_lifetime", p.RequestURILifetime, maxPARLifetime, "")
}
