package connectors

import "context"

// Audit event types connectors record. The broker's own types (logins,
// links, admin changes) are in broker/audit; these are steps taken on a
// connector's own API, which the broker's login flow never sees: an app
// user scanning, confirming or cancelling a QR login for some browser.
const (
	AuditQRScan    = "qr.scan"
	AuditQRConfirm = "qr.confirm"
	AuditQRCancel  = "qr.cancel"
	// A device key registered or deleted through the app API.
	AuditQRDeviceRegister = "qr.device.register"
	AuditQRDeviceDelete   = "qr.device.delete"
	// An SMS provider refused or failed a send (after one retry): the
	// person was told a code might come and none will.
	AuditSMSProviderFailure = "sms.provider_failure"
)

// Audit outcomes (the same words as broker/audit's).
const (
	AuditSuccess = "success"
	AuditDenied  = "denied"
	AuditFailure = "failure" // a provider or server failed, nobody refused
)

// AuditEvent is one step for the broker's audit trail. It must carry no
// personal data: persons by their broker ID, never by name, ID number or
// mobile.
type AuditEvent struct {
	Type      string // AuditQRScan, …
	Outcome   string // AuditSuccess, AuditDenied or AuditFailure
	Reason    string // stable code of a refusal, e.g. "access_denied"
	Connector string
	PersonID  string // the broker person who acted
	ClientID  string // the relying party the step concerns, when known
	IP        string // of the caller, as the broker sees it (WithRemoteIP)
	UserAgent string
	Details   map[string]string // e.g. the QR code's short ID and the browser's IP
}

// Auditor takes a connector's audit events; an error means the event was
// not kept (the connector logs it and goes on, as the broker does with its
// own events).
type Auditor interface {
	Audit(ctx context.Context, e AuditEvent) error
}

// WithRemoteIP gives a connector's own API handler (CrossDevice.Handler)
// the caller's IP as the broker determined it, trusted proxies considered.
func WithRemoteIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, remoteIPKey{}, ip)
}

// RemoteIP is the IP set by WithRemoteIP, or "".
func RemoteIP(ctx context.Context) string {
	ip, _ := ctx.Value(remoteIPKey{}).(string)
	return ip
}

type remoteIPKey struct{}
