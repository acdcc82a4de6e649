package broker

import (
	"context"
	"errors"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/keys"
)

// keyStore adapts the broker store to keys.Store (its own error values keep
// the keys package free of broker imports).
type keyStore struct{ st store.KeySets }

func (k keyStore) GetKeySet(ctx context.Context) ([]byte, int64, error) {
	b, v, err := k.st.GetKeySet(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, keys.ErrNoKeySet
	}
	return b, v, err
}

func (k keyStore) SwapKeySet(ctx context.Context, old int64, data []byte) (int64, error) {
	v, err := k.st.SwapKeySet(ctx, old, data)
	if errors.Is(err, store.ErrConflict) {
		return 0, keys.ErrVersionConflict
	}
	return v, err
}

// keySource adapts keys.Manager to what the provider reads on every token.
type keySource struct{ m *keys.Manager }

func (k keySource) SigningKey() (string, jose.SignatureAlgorithm, any) {
	a := k.m.Active()
	if a == nil {
		return "", "", nil
	}
	return a.ID(), a.SignatureAlgorithm(), a.Key()
}

func (k keySource) SigningKeyFor(alg jose.SignatureAlgorithm) (string, any) {
	a := k.m.ActiveFor(alg)
	if a == nil {
		return "", nil
	}
	return a.ID(), a.Key()
}

func (k keySource) PublicKeys() []provider.PublicKey {
	pub := k.m.Published()
	out := make([]provider.PublicKey, len(pub))
	for i := range pub {
		out[i] = provider.PublicKey{KID: pub[i].ID(), Alg: pub[i].Algorithm(), Key: pub[i].Key()}
	}
	return out
}

func (k keySource) JWKS() []byte   { return k.m.JWKS() }
func (k keySource) Version() int64 { return k.m.Version() }

// keyAlgorithm is the configured signing algorithm; ES256 when unset.
func keyAlgorithm(s string) jose.SignatureAlgorithm {
	if s == "" {
		return jose.ES256
	}
	return jose.SignatureAlgorithm(s)
}
