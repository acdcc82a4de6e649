package connectors

import (
	"context"
	"time"
)

// CertificateInfo is what the fund's counter sees of a certificate before
// binding it: who it was issued to and by, when it is valid, its link
// subject and the unit it names.
type CertificateInfo struct {
	Subject, Issuer, Serial string
	NotBefore, NotAfter     time.Time
	// LinkSubject is the fingerprint link subject ("sha256:<hex>") a
	// binding stores.
	LinkSubject string
	// UnitID is the credit code the certificate names by the connector's
	// extraction rules; "" when it names none.
	UnitID string
	CA     string // the configured CA it chains to
}

// CertificateInspector is implemented by certificate connectors that can
// check a certificate (DER, PEM or base64) for a counter binding without
// a login: it parses, is within its validity, chains to a configured CA.
type CertificateInspector interface {
	InspectCertificate(ctx context.Context, raw []byte) (CertificateInfo, error)
}
