package store

import (
	"context"
	"slices"
	"time"
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
type QRSession struct {
	ID         string
	State      string
	ExpiresAt  time.Time // waiting and scanned read as QRExpired from then on
	PollHash   string    // hash of the browser's poll secret
	AppSession string    // names the app session that scanned; "" before the scan
	TicketHash string    // hash of the browser's current login ticket; "" until one is issued
	Polls      int64     // browser polls counted by PollQR
	Data       []byte    // the request, recorded at creation
	AppData    []byte    // the scan, recorded by the update that set AppSession
}

// QRUpdate is one compare-and-set step of a QR session: it applies only if
// the session is in one of From and every condition holds.
type QRUpdate struct {
	// From lists the states the step may start from; QRExpired is never
	// among them, so nothing moves an expired session.
	From []string
	// To is the new state; "" keeps the state (a ticket issue).
	To string
	// AppSession must equal the recorded app session; when none is
	// recorded yet, the step records it (the scan).
	AppSession string
	// PollHash and TicketHash, when set, must equal the recorded ones.
	PollHash   string
	TicketHash string
	// NewTicketHash, when set, replaces the ticket hash.
	NewTicketHash string
	// AppData, when set, is recorded with the step.
	AppData []byte
}

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
// ExpiresAt on.
func QRState(s *QRSession, now time.Time) string {
	if (s.State == QRWaiting || s.State == QRScanned) && !now.Before(s.ExpiresAt) {
		return QRExpired
	}
	return s.State
}

// QRUpdateApplies reports whether u may be applied to s at now: the one
// definition of the conditions, for backends that check them in Go (the
// Redis store checks the same in Lua).
func QRUpdateApplies(s *QRSession, u QRUpdate, now time.Time) bool {
	if !slices.Contains(u.From, QRState(s, now)) {
		return false
	}
	if u.AppSession != "" && s.AppSession != "" && s.AppSession != u.AppSession {
		return false
	}
	if u.PollHash != "" && s.PollHash != u.PollHash {
		return false
	}
	if u.TicketHash != "" && s.TicketHash != u.TicketHash {
		return false
	}
	return true
}
