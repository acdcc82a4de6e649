package brokertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/dpop"
)

// NewProver makes a DPoP key (P-256) and its prover.
func NewProver(t testing.TB) *dpop.Prover {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dpop.NewProver(k, jose.ES256)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// DPoPTransport adds a fresh DPoP proof to every request, as a DPoP client
// library does: htm and htu from the request, ath from an `Authorization:
// DPoP` token. Use it as the HTTP client of x/oauth2 (oauth2.HTTPClient in
// the context) to get DPoP-bound tokens.
type DPoPTransport struct {
	Prover *dpop.Prover
	Base   http.RoundTripper // nil: http.DefaultTransport
}

func (d *DPoPTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	var at string
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "DPoP") {
		at = tok
	}
	u := *r.URL
	u.RawQuery, u.Fragment = "", ""
	proof, err := d.Prover.Proof(r.Method, u.String(), at, "")
	if err != nil {
		return nil, err
	}
	r.Header.Set(dpop.Header, proof)
	base := d.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// DPoPClient is an HTTP client whose requests carry proofs of p.
func DPoPClient(p *dpop.Prover) *http.Client {
	return &http.Client{Transport: &DPoPTransport{Prover: p}}
}
