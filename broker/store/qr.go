package store

import (
	"context"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// QR session states. A session moves waiting → scanned → confirmed |
// cancelled, and confirmed → consumed exactly once; waiting and scanned read
// as QRExpired from ExpiresAt on. Every step is a compare-and-set, so states
// never go back.
const (
	QRWaiting   = "waiting"   // shown on the PC, nobody scanned it yet
	QRScanned   = "scanned"   // an app session scanned it and shows the request
	QRConfirmed = "confirmed" // that app session agreed
	QRCancelled = "cancelled" // that app session refused
	QRConsumed  = "consumed"  // the browser redeemed its login ticket
	QRExpired   = "expired"   // never stored: how waiting and scanned read once ExpiresAt passed
)

// QRSession is one cross-device login (the fund's app scans a QR code the
// login page shows). Secrets reach the store only as hashes the caller
// computed; Data and AppData are the connector's own records, opaque here.
// The type is the connectors contract's, defined once there, so the
// connector host hands sessions over without copying them.
type QRSession = connectors.QRSession

// QRUpdate is one compare-and-set step of a QR session: it applies only if
// the session is in one of From (QRExpired is never among them) and every
// condition holds; see connectors.QRUpdate.
type QRUpdate = connectors.QRUpdate

// QRSessions keeps QR sessions for their short lifetime and wakes the
// browsers waiting on them, on whichever broker instance they wait.
type QRSessions interface {
	// CreateQR stores a new session. It is kept until ExpiresAt + keep, so
	// late callers learn that it expired rather than that it never existed.
	// ErrConflict when the ID exists.
	CreateQR(ctx context.Context, s *QRSession, keep time.Duration) error
	// GetQR returns the session; ErrNotFound once it is gone.
	GetQR(ctx context.Context, id string) (*QRSession, error)
	// PollQR counts one browser poll and returns the session with the new
	// count, only for the holder of the poll secret: ErrConflict, and
	// nothing counted, when pollHash is not the recorded one.
	PollQR(ctx context.Context, id, pollHash string) (*QRSession, error)
	// UpdateQR applies u atomically if its conditions hold and returns the
	// session as it now is. If they do not hold it returns the current
	// session together with ErrConflict; ErrNotFound once the session is
	// gone. A step that changes the state wakes the session's watchers on
	// every instance.
	UpdateQR(ctx context.Context, id string, u QRUpdate) (*QRSession, error)
	// AddQRToAuthRequest counts one more QR code shown for an
	// authorization request and returns the count. The count is kept on
	// the request itself and goes with it; ErrNotFound when the request is
	// gone.
	AddQRToAuthRequest(ctx context.Context, authRequestID string) (int64, error)
	// WatchQR calls wake after every state change of session id, made by
	// any instance, and whenever it may have missed one (a reconnection to
	// Redis), until stop is called. wake must not block. Register before
	// reading the state, so no change falls between the read and the wait.
	WatchQR(id string, wake func()) (stop func())
}

// QRState is how s reads at now: waiting and scanned read as QRExpired from
// ExpiresAt on (connectors.QRSession.StateAt).
func QRState(s *QRSession, now time.Time) string { return s.StateAt(now) }

// QRUpdateApplies reports whether u may be applied to s at now, for
// backends that check it in Go (the Redis store checks the same in Lua);
// the one definition is connectors.QRUpdate.AppliesTo.
func QRUpdateApplies(s *QRSession, u QRUpdate, now time.Time) bool { return u.AppliesTo(s, now) }
