package store

import (
	"context"
	"time"
)

// Link kinds: what a link resolves to.
const (
	LinkPerson = "person" // an upstream identity of a natural person
	LinkUnit   = "unit"   // an identity of the unit itself (unit certificate, legal person)
	LinkAgent  = "agent"  // a person acting for one unit (a CA certificate bound to an operator)
)

// Link maps an upstream identity (connector, subject) to a principal. For
// certificates bound at the counter, Subject is "sha256:<hex fingerprint>"
// or "issuer-serial:<hex SHA-256 of the issuer DN>:<hex serial>".
type Link struct {
	Connector string    `json:"connector"`
	Subject   string    `json:"subject"`
	Kind      string    `json:"kind"`                // person | unit | agent
	PersonID  string    `json:"person_id,omitempty"` // person and agent links
	UnitID    string    `json:"unit_id,omitempty"`   // unit and agent links
	Label     string    `json:"label,omitempty"`     // e.g. certificate subject, masked upstream name
	CreatedBy string    `json:"created_by"`          // "client:<id>", "self-bind", "auto"
	CreatedAt time.Time `json:"created_at"`
}

// Links keeps the link table and its indexes (every link, the links of a
// principal) in step.
type Links interface {
	// AddLink stores l; ErrConflict when (connector, subject) is linked.
	AddLink(ctx context.Context, l *Link) error
	GetLink(ctx context.Context, connector, subject string) (*Link, error)
	// DeleteLink removes the link; ErrNotFound when there is none.
	DeleteLink(ctx context.Context, connector, subject string) error
	// ListLinks pages every link in (connector, subject) order; the cursor
	// is opaque.
	ListLinks(ctx context.Context, cursor string, limit int) (links []*Link, next string, err error)
	// LinksOf returns the links to a person or unit ID, in (connector,
	// subject) order; an agent link counts for its person and its unit.
	LinksOf(ctx context.Context, principalID string) ([]*Link, error)
}

// AuditRecord is one stored audit event; ID orders records by time.
type AuditRecord struct {
	ID   string // "<unix ms>-<seq>", as a Redis stream entry ID
	Data []byte // the event, JSON
}

// AuditLog is the append-only audit trail.
type AuditLog interface {
	// AppendAudit appends data and drops records older than retention.
	AppendAudit(ctx context.Context, data []byte, retention time.Duration) (id string, err error)
	// ReadAudit returns up to limit records with IDs after `after` ("" =
	// from the start) and not later than until (zero: no bound), oldest
	// first; since bounds the start when after is "".
	ReadAudit(ctx context.Context, since time.Time, after string, until time.Time, limit int) ([]AuditRecord, error)
}
