package connectors

import (
	"context"
	"time"
)

// DeviceKey is a key a person's device registered (the fund app's signing
// key for QR logins).
type DeviceKey struct {
	ID               string
	Created, Expires time.Time
}

// DeviceKeys is implemented by connectors that keep persons' device keys
// (appscan), so that a person's account page can list and forget them.
// The connector keeps no index by person: the page names the candidate
// IDs (from the audit trail of registrations) and the connector answers
// which are live keys of that person.
type DeviceKeys interface {
	// DeviceKeysOf returns those of ids that are live keys of subject.
	DeviceKeysOf(ctx context.Context, subject string, ids []string) ([]DeviceKey, error)
	// ForgetDeviceKey deletes subject's key id: signatures by it are
	// refused from then on. ErrNotFound when id is no live key of subject.
	ForgetDeviceKey(ctx context.Context, subject, id string) error
}
