package store

import (
	"context"
	"time"
)

// LogoutParticipant is a client that received tokens for a login: the
// relying parties an ended SSO session must tell (OpenID Connect
// Back-Channel and Front-Channel Logout).
type LogoutParticipant struct {
	// SessionID is the browser session (its hashed ID); "" for logins
	// without one (token exchange).
	SessionID string `json:"sid,omitempty"`
	Subject   string `json:"sub"`
	UnitID    string `json:"unit_id,omitempty"` // the unit the subject acted for
	ClientID  string `json:"client_id"`
}

// LogoutSessions records which clients each SSO session (and each subject)
// issued tokens to. Every record expires by itself.
type LogoutSessions interface {
	// AddLogoutParticipant records p, or extends its lifetime to at least
	// ttl when it is recorded already.
	AddLogoutParticipant(ctx context.Context, p LogoutParticipant, ttl time.Duration) error
	// TakeSessionParticipants returns and forgets the participants of the
	// session in one step: of concurrent callers exactly one gets each.
	TakeSessionParticipants(ctx context.Context, sessionID string) ([]LogoutParticipant, error)
	// TakeSubjectParticipants does the same for every participant of
	// subject, with or without a session; a non-empty unitID narrows it to
	// the logins acting for that unit.
	TakeSubjectParticipants(ctx context.Context, subject, unitID string) ([]LogoutParticipant, error)
}

// LogoutDelivery is one back-channel logout token waiting to be sent.
type LogoutDelivery struct {
	// ID names the delivery: one per logout event and client session;
	// it becomes the logout token's jti.
	ID        string    `json:"id"`
	ClientID  string    `json:"client_id"`
	Subject   string    `json:"sub,omitempty"`
	SID       string    `json:"sid,omitempty"` // the sid claim (not the session's ID)
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	// Deadline is when the broker gives up retrying.
	Deadline  time.Time `json:"deadline"`
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
}

// LogoutQueue is the durable queue of back-channel logout deliveries that
// every broker instance works from. An item is due at a time; claiming it
// leases it (moves its due time by the lease), so two instances never hold
// the same item at once, and an instance that dies holding one only
// delays it by the lease.
type LogoutQueue interface {
	// EnqueueLogouts adds the deliveries, due at due. A delivery whose ID
	// is queued or was finished within its keep time is left alone, so
	// enqueueing the same delivery twice sends it once.
	EnqueueLogouts(ctx context.Context, ds []*LogoutDelivery, due time.Time) error
	// ClaimLogouts returns up to limit deliveries due at now and leases
	// them until now+lease.
	ClaimLogouts(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*LogoutDelivery, error)
	// RetryLogout stores d (its attempts and last error) and makes it due
	// at due; a delivery finished meanwhile stays finished.
	RetryLogout(ctx context.Context, d *LogoutDelivery, due time.Time) error
	// FinishLogout removes the delivery (sent or given up) and remembers
	// its ID for keep, so it is not enqueued again.
	FinishLogout(ctx context.Context, id string, keep time.Duration) error
	// PendingLogouts counts the deliveries in the queue.
	PendingLogouts(ctx context.Context) (int64, error)
}
