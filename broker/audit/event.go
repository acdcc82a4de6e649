// Package audit is the broker's audit trail: who did what to whom, from
// where, with what outcome. Events are appended to the store (a Redis
// stream in production, kept for a configurable retention, 180 days by
// default) and mirrored to the JSON log. Personal data never enters an
// event unmasked: callers put masked forms in, and Record masks every
// string once more as a safety net.
package audit

import (
	"context"
	"time"
)

// Event types. The prefix says the area, the suffix what happened.
const (
	LoginSuccess   = "login.success"
	LoginFailure   = "login.failure"
	LoginLockout   = "login.lockout"
	LinkCreate     = "link.create"
	LinkDelete     = "link.delete"
	TokenRevoke    = "token.revoke"
	AdminChange    = "admin.change"    // Action says which, e.g. "clients.create"
	UnitChange     = "unit.change"     // unit self-service, e.g. "agents.disable"
	AccessDenied   = "access.denied"   // a refused admin or self-service call
	ClientRegister = "client.register" // RFC 7591/7592 dynamic registration
	// BackchannelLogout: a logout token queued (Action "logout.queue") or
	// delivered or given up (Action "logout.deliver", Outcome success or
	// failure); Reason says why the session ended.
	BackchannelLogout = "logout.backchannel"
	// Connectors record their own steps through the broker's
	// ConnectorServices.Audit, only of their own types
	// (connectors.AuditQRScan "qr.scan", AuditQRConfirm "qr.confirm",
	// AuditQRCancel "qr.cancel").
)

// Outcomes.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Event is one audit record.
type Event struct {
	ID        string         `json:"id,omitempty"` // assigned by the store
	Time      time.Time      `json:"time"`
	Type      string         `json:"type"`
	Action    string         `json:"action,omitempty"`     // e.g. "clients.create", "agents.reset_password"
	Outcome   string         `json:"outcome"`              // success | failure | denied
	Reason    string         `json:"reason,omitempty"`     // stable code, e.g. "wrong_password"
	Actor     string         `json:"actor,omitempty"`      // who acted: "client:<id>", "person:<id>", "unit:<id>"
	ActorUnit string         `json:"actor_unit,omitempty"` // the unit the actor acted for
	Principal string         `json:"principal,omitempty"`  // whom it concerns: a person ID, unit ID or client ID
	Unit      string         `json:"unit,omitempty"`       // the unit it concerns
	Connector string         `json:"connector,omitempty"`
	Client    string         `json:"client,omitempty"`
	Subject   string         `json:"subject,omitempty"` // masked upstream subject or login
	IP        string         `json:"ip,omitempty"`
	UserAgent string         `json:"user_agent,omitempty"`
	Before    map[string]any `json:"before,omitempty"` // masked
	After     map[string]any `json:"after,omitempty"`  // masked
}

// Recorder takes audit events. Record never fails the caller's action
// for an audit outage silently: it returns the error, and callers that
// change state record before they answer.
type Recorder interface {
	Record(ctx context.Context, e Event) error
}
