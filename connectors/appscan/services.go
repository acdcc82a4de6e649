package appscan

import (
	"context"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// What the connector needs from the broker: small interfaces over the
// contract's types, all satisfied by what the broker passes as
// connectors.Deps.Broker (its store, provider and accounts, adapted).
// Errors wrap connectors.ErrNotFound, ErrConflict, ErrInvalidToken or
// ErrUnavailable as the method says.

// Sessions keeps QR sessions (store.QRSessions): every step a
// compare-and-set, every state change waking the watchers on every broker
// instance.
type Sessions interface {
	// CreateQR stores a new session, kept until ExpiresAt + keep.
	CreateQR(ctx context.Context, s *connectors.QRSession, keep time.Duration) error
	// GetQR returns the session; ErrNotFound once it is gone.
	GetQR(ctx context.Context, id string) (*connectors.QRSession, error)
	// PollQR counts a poll by the holder of the poll secret; ErrConflict
	// (nothing counted) for anyone else.
	PollQR(ctx context.Context, id, pollHash string) (*connectors.QRSession, error)
	// UpdateQR applies u if its conditions hold; otherwise it returns the
	// current session with ErrConflict.
	UpdateQR(ctx context.Context, id string, u connectors.QRUpdate) (*connectors.QRSession, error)
	// AddQRToAuthRequest counts a QR code shown for an authorization
	// request, on the request itself; ErrNotFound once it is gone.
	AddQRToAuthRequest(ctx context.Context, authRequestID string) (int64, error)
	// WatchQR calls wake on every state change of id, anywhere.
	WatchQR(id string, wake func()) (stop func())
}

// Counters count QR creations and app calls in windows that expire.
type Counters interface {
	// Incr adds one to key, (re)sets its lifetime to ttl and returns the
	// new count.
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
}

// Values keep registered device keys and used nonces.
type Values interface {
	SetValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// AddValue stores value only when key holds nothing; ErrConflict
	// otherwise.
	AddValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// GetValue returns the value; ErrNotFound when there is none.
	GetValue(ctx context.Context, key string) ([]byte, error)
	// DeleteValue forgets key; an unknown key is no error.
	DeleteValue(ctx context.Context, key string) error
}

// Tokens verifies the app user's access token.
type Tokens interface {
	// VerifyAccessToken checks signature, issuer, expiry and revocation;
	// ErrInvalidToken for a token that fails any of them.
	VerifyAccessToken(ctx context.Context, raw string) (connectors.AccessToken, error)
}

// Clients names relying parties for the app's confirmation screen.
type Clients interface {
	// ClientName is the client's display name; ErrNotFound for an unknown
	// client.
	ClientName(ctx context.Context, id string) (string, error)
}

// People finds the persons behind app tokens.
type People interface {
	// Person returns the person with this broker ID (Disabled set when
	// it may not log in); connectors.ErrUnknownAccount when there is none,
	// e.g. for a unit's subject.
	Person(ctx context.Context, id string) (connectors.Account, error)
	// FindByLogin finds a person by mobile or ID number (the dev page's
	// demo user); connectors.ErrUnknownAccount when there is none.
	FindByLogin(ctx context.Context, login string) (connectors.Account, error)
}

// Services is what deps.Broker must implement for this connector.
type Services interface {
	connectors.Auditor // the app's steps go into the broker's audit trail
	Sessions
	Counters
	Values
	Tokens
	Clients
	People
}
