package dpop

import (
	"crypto"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/secrets"
)

// Prover makes proofs with one key: the client's side of RFC 9449, for
// the broker's tests, the load generator and example clients.
type Prover struct {
	signer jose.Signer
	// JKT is the thumbprint of the key, what bound tokens carry.
	JKT string
}

// NewProver makes proofs signed with key (an *ecdsa.PrivateKey,
// *rsa.PrivateKey or ed25519.PrivateKey) under alg.
func NewProver(key crypto.Signer, alg jose.SignatureAlgorithm) (*Prover, error) {
	pub := jose.JSONWebKey{Key: key.Public()}
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		return nil, fmt.Errorf("dpop: signer: %w", err)
	}
	jkt, err := Thumbprint(&pub)
	if err != nil {
		return nil, fmt.Errorf("dpop: thumbprint: %w", err)
	}
	return &Prover{signer: s, JKT: jkt}, nil
}

// ProofClaims are a proof's claims; Make fills jti and iat when empty.
type ProofClaims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	ATH   string `json:"ath,omitempty"`
	Nonce string `json:"nonce,omitempty"`
}

// Proof returns a proof for a request (method, URL) carrying accessToken
// ("" at the token endpoint) and the server's nonce ("" for none).
func (p *Prover) Proof(method, url, accessToken, nonce string) (string, error) {
	c := ProofClaims{HTM: method, HTU: url, Nonce: nonce}
	if accessToken != "" {
		c.ATH = ATH(accessToken)
	}
	return p.Make(c)
}

// Make signs c as given, for tests that need a wrong claim.
func (p *Prover) Make(c ProofClaims) (string, error) {
	if c.JTI == "" {
		c.JTI = secrets.NewID()
	}
	if c.IAT == 0 {
		c.IAT = time.Now().Unix()
	}
	b, err := jsonMarshal(c)
	if err != nil {
		return "", err
	}
	jws, err := p.signer.Sign(b)
	if err != nil {
		return "", fmt.Errorf("dpop: sign proof: %w", err)
	}
	return jws.CompactSerialize()
}
