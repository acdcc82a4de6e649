package connectors

import (
	"errors"
	"time"
)

// What the broker offers cross-device connectors beyond the store
// (Deps.Broker): QR sessions with wake-ups on every instance, the broker's
// own access tokens, client names and persons. The types live here, in the
// contract, so the broker can provide them without importing a connector;
// each connector declares the small interfaces it uses over them.

// Errors of the broker's services (wrapped; compare with errors.Is).
var (
	// ErrNotFound: no such record, or it expired.
	ErrNotFound = errors.New("connectors: not found")
	// ErrConflict: a compare-and-set lost, or the record exists already.
	ErrConflict = errors.New("connectors: conflict")
	// ErrInvalidToken: the access token is malformed, expired, revoked or
	// not the broker's (RFC 6750 §3.1 invalid_token).
	ErrInvalidToken = errors.New("connectors: invalid access token")
	// ErrUnavailable: the store cannot be reached; answer 503.
	ErrUnavailable = errors.New("connectors: unavailable")
)

// QRSession is a cross-device login as the broker's store keeps it
// (store.QRSession): the state machine's fields and the connector's own
// records, opaque to the store. States are the CrossDevice… values.
type QRSession struct {
	ID         string
	State      string    // as stored: waiting, scanned, confirmed, cancelled, consumed
	ExpiresAt  time.Time // waiting and scanned read as expired from then on
	PollHash   string
	AppSession string // who scanned; only that app session may confirm or cancel
	TicketHash string
	Polls      int64
	Data       []byte // recorded at creation
	AppData    []byte // recorded at the scan
}

// QRUpdate is one compare-and-set step (store.QRUpdate): it applies only
// from one of From (never from expired) when every condition holds.
type QRUpdate struct {
	From          []string
	To            string // "" keeps the state
	AppSession    string // must equal the recorded one; recorded when none is
	PollHash      string // when set, must equal the recorded one
	TicketHash    string // when set, must equal the recorded one
	NewTicketHash string // when set, replaces the ticket hash
	AppData       []byte // when set, recorded
}

// AccessToken is a verified access token the broker issued: for appscan,
// the app user's own.
type AccessToken struct {
	JTI      string
	Grant    string // the grant (login) it belongs to; stays the same across refreshes
	Subject  string // the broker's principal ID
	ClientID string
	Scopes   []string
	AMR      []string
	ACR      string
	IssuedAt time.Time
	Expiry   time.Time
}
