package upstream

import (
	"context"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Values keep a login's upstream state (nonce, PKCE verifier, service or
// callback URL) while the browser is away; the broker's store provides
// them (store.Values).
type Values interface {
	SetValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// TakeValue returns the value and deletes it in one step.
	TakeValue(ctx context.Context, key string) ([]byte, error)
}

// Services are what the oidc, cas and oauth2 connectors take from the
// broker.
type Services struct {
	Store      Values
	IsNotFound func(error) bool // a TakeValue error meaning "no such key"
	Log        connectors.Logger
}

// OpenServices checks that the broker passed what a connector of type typ
// needs: a store with short-lived values, and isNotFound (a connector may
// not import broker/store, so main tells it which errors mean "no such
// key"). Without a logger, logs are dropped.
func OpenServices(typ string, spec connectors.Spec, deps connectors.Deps, isNotFound func(error) bool) (Services, error) {
	st, ok := deps.Store.(Values)
	if !ok {
		return Services{}, fmt.Errorf("%s connector %q: the store (%T) has no short-lived values (SetValue, TakeValue)", typ, spec.ID, deps.Store)
	}
	if isNotFound == nil {
		return Services{}, fmt.Errorf("%s connector %q: no IsNotFound (main must pass errors.Is(err, store.ErrNotFound) in %s.Options)", typ, spec.ID, typ)
	}
	log := deps.Logger
	if log == nil {
		log = nopLogger{}
	}
	return Services{Store: st, IsNotFound: isNotFound, Log: log}, nil
}

type nopLogger struct{}

func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}
