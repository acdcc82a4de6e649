package connectors

import "time"

// CRLStatus is one certificate revocation list a connector keeps cached,
// as operators need to see it: a CRL past its nextUpdate whose refetch
// failed is stale, and logins fail closed once its grace is over.
type CRLStatus struct {
	URL        string
	NextUpdate time.Time
	// RefreshFailed: the last fetch after NextUpdate failed, so answers
	// come from the stale copy (within the grace) or logins are refused.
	RefreshFailed bool
}

// CRLReporter is a connector that caches CRLs (x509); the broker exports
// what CRLs reports as metrics.
type CRLReporter interface {
	Connector
	CRLs() []CRLStatus
}
