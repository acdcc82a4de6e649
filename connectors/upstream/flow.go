package upstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact"
)

// FlowTTL bounds the time a browser may spend at the upstream, as the
// broker's own state does.
const FlowTTL = 10 * time.Minute

// flowKey names the login's state in the host's values: by the
// connector and a hash of the broker's state parameter, so the key says
// nothing of the state itself.
func (b Base) flowKey(state string) string {
	h := sha256.Sum256([]byte(state))
	return b.Type() + "-flow:" + b.ID() + ":" + hex.EncodeToString(h[:])
}

// SaveFlow keeps rec, what the callback will need (nonce, verifier,
// service or callback URL), under state while the browser is away.
func (b Base) SaveFlow(ctx context.Context, state string, rec []byte) error {
	if err := b.Values.SetValue(ctx, b.flowKey(state), rec, FlowTTL); err != nil {
		return fmt.Errorf("%s %s: keep flow: %w", b.Type(), b.ID(), err)
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
		return nil, fmt.Errorf("%s %s: load flow: %w", b.Type(), b.ID(), err)
	}
	return raw, nil
}

// Callback is the HandleCallback the upstream connectors share around
// handle, each one's own part: it gives handle the callback's query and
// the record SaveFlow kept for its state (TakeFlow, once); then it takes
// every value in sent (the client secret, and what handle adds: code or
// ticket, verifier, tokens) out of the error's text (RedactError) and
// logs a refused login.
func (b Base) Callback(ctx context.Context, r *http.Request, sent *redact.Sent,
	handle func(ctx context.Context, q url.Values, rec []byte, sent *redact.Sent) (connectors.Identity, error)) (connectors.Identity, error) {
	id, err := b.callback(ctx, r.URL.Query(), sent, handle)
	err = RedactError(err, sent)
	if le, ok := connectors.AsLoginError(err); ok {
		b.Log.WarnContext(ctx, b.Type()+" login refused", "connector", b.ID(), "code", le.Code, "err", le.Err)
	}
	return id, err
}

func (b Base) callback(ctx context.Context, q url.Values, sent *redact.Sent,
	handle func(context.Context, url.Values, []byte, *redact.Sent) (connectors.Identity, error)) (connectors.Identity, error) {
	rec, err := b.TakeFlow(ctx, q.Get("state"))
	if err != nil {
		return connectors.Identity{}, err
	}
	return handle(ctx, q, rec, sent)
}
