package store

import (
	"github.com/gjjid/gjjid/connectors"
)

// QR session states, the connectors contract's (defined once there). A
// session moves waiting → scanned → confirmed | cancelled, and confirmed →
// consumed exactly once; waiting and scanned read as QRExpired from
// ExpiresAt on. Every step is a compare-and-set, so states never go back.
const (
	QRWaiting   = connectors.CrossDeviceWaiting   // shown on the PC, nobody scanned it yet
	QRScanned   = connectors.CrossDeviceScanned   // an app session scanned it and shows the request
	QRConfirmed = connectors.CrossDeviceConfirmed // that app session agreed
	QRCancelled = connectors.CrossDeviceCancelled // that app session refused
	QRConsumed  = connectors.CrossDeviceConsumed  // the browser redeemed its login ticket
	QRExpired   = connectors.CrossDeviceExpired   // never stored: how waiting and scanned read once ExpiresAt passed
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

// QRWatchers are a process's waiters on QR sessions' changes, which a
// store's WatchQR registers and wakes; see connectors.QRWatchers.
type QRWatchers = connectors.QRWatchers

// QRSessions keeps QR sessions for their short lifetime and wakes the
// browsers waiting on them, on whichever broker instance they wait. The
// method set is the connectors contract's (defined once there), so the
// connector host passes the store's sessions through; from the store the
// errors are the store's own: ErrConflict when CreateQR finds the ID
// taken, when PollQR is not given the recorded poll hash (nothing is
// counted) and when UpdateQR's conditions do not hold (with the current
// session); ErrNotFound once the session or, for AddQRToAuthRequest, the
// authorization request (which keeps the count) is gone. Sessions are kept
// until ExpiresAt + keep, so late callers learn that one expired rather
// than that it never existed. WatchQR's wake also runs whenever a change
// may have been missed (a reconnection to Redis); register before reading
// the state, so no change falls between the read and the wait.
type QRSessions = connectors.QRSessions
