package upstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
)

// FlowTTL bounds the time a browser may spend at the upstream, as the
// broker's own state does.
const FlowTTL = 10 * time.Minute

// Open is the opening every oidc, cas and oauth2 connector shares: parse
// its config (so a config error is reported first) and open its Base
// with the configured timeout.
func Open[C any](typ string, spec connectors.Spec, deps connectors.Deps, parse func(*yaml.Node, string) (C, error),
	timeout func(C) time.Duration, maxBody int64) (Base, C, error) {
	cfg, err := parse(&spec.Config, spec.ConfigPath())
	if err != nil {
		return Base{}, cfg, err
	}
	b, err := OpenBase(typ, spec, deps, timeout(cfg), maxBody)
	return b, cfg, err
}

// flowKey names the login's state in the host's values: by the
// connector and a hash of the broker's state parameter, so the key says
// nothing of the state itself.
func (b Base) flowKey(state string) string {
	h := sha256.Sum256([]byte(state))
	return b.Type + "-flow:" + b.ID + ":" + hex.EncodeToString(h[:])
}

// SaveFlow keeps rec, what the callback will need (nonce, verifier,
// service or callback URL), under state while the browser is away.
func (b Base) SaveFlow(ctx context.Context, state string, rec []byte) error {
	if err := b.Values.SetValue(ctx, b.flowKey(state), rec, FlowTTL); err != nil {
		return fmt.Errorf("%s %s: keep flow: %w", b.Type, b.ID, err)
	}
	return nil
}

// TakeFlow returns the record SaveFlow kept for state, once. An unknown
// or expired state is an Invalid login error; a store failure is returned
// as it is (the broker answers 503).
func (b Base) TakeFlow(ctx context.Context, state string) ([]byte, error) {
	raw, err := b.Values.TakeValue(ctx, b.flowKey(state))
	switch {
	case errors.Is(err, connectors.ErrNotFound):
		return nil, Invalid(errors.New("no login in progress for this state"))
	case err != nil:
		return nil, fmt.Errorf("%s %s: load flow: %w", b.Type, b.ID, err)
	}
	return raw, nil
}
