package broker

import (
	"context"
	"errors"
	"time"

	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/broker/store"
)

// dpopVerifier checks DPoP proofs with the store as the replay cache that
// every instance shares, and server nonces keyed by the token key.
func (b *Broker) dpopVerifier() *dpop.Verifier {
	c := b.Config.DPoP
	return &dpop.Verifier{
		Replay: func(ctx context.Context, key string, ttl time.Duration) (bool, error) {
			err := b.Store.AddValue(ctx, key, []byte{1}, ttl)
			if errors.Is(err, store.ErrConflict) {
				return false, nil
			}
			return err == nil, err
		},
		Nonces:       dpop.NewNonces(b.Secrets.TokenKey, 0),
		RequireNonce: c.RequireNonce,
		MaxAge:       c.ProofLifetime,
	}
}
