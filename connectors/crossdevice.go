package connectors

import (
	"slices"
	"time"
)

// QRSession is a cross-device login as the broker's store keeps it (the
// store uses this type; it is defined once, here): the state machine's
// fields and the connector's own records, opaque to the store. States are the CrossDevice… values.
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

// QRUpdate is one compare-and-set step of a QRSession: it applies only
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

// StateAt is how s reads at now: waiting and scanned read as
// CrossDeviceExpired from ExpiresAt on.
func (s *QRSession) StateAt(now time.Time) string {
	if (s.State == CrossDeviceWaiting || s.State == CrossDeviceScanned) && !now.Before(s.ExpiresAt) {
		return CrossDeviceExpired
	}
	return s.State
}

// Clone returns a copy of s that shares no memory with it.
func (s *QRSession) Clone() *QRSession {
	c := *s
	c.Data = slices.Clone(s.Data)
	c.AppData = slices.Clone(s.AppData)
	return &c
}

// Apply makes u's changes to s, once AppliesTo allowed them: the new
// state, the app session when none is recorded, the new ticket hash and
// the app data. It reports whether the state changed (which wakes the
// session's watchers). The Redis store does the same in Lua.
func (u QRUpdate) Apply(s *QRSession) (stateChanged bool) {
	if u.To != "" {
		s.State = u.To
	}
	if u.AppSession != "" && s.AppSession == "" {
		s.AppSession = u.AppSession
	}
	if u.NewTicketHash != "" {
		s.TicketHash = u.NewTicketHash
	}
	if u.AppData != nil {
		s.AppData = slices.Clone(u.AppData)
	}
	return u.To != ""
}

// AppliesTo reports whether u may be applied to s at now: s reads as one of
// From, and the app session, poll hash and ticket hash match where set.
func (u QRUpdate) AppliesTo(s *QRSession, now time.Time) bool {
	if !slices.Contains(u.From, s.StateAt(now)) {
		return false
	}
	if u.AppSession != "" && s.AppSession != "" && s.AppSession != u.AppSession {
		return false
	}
	if u.PollHash != "" && s.PollHash != u.PollHash {
		return false
	}
	return u.TicketHash == "" || s.TicketHash == u.TicketHash
}
