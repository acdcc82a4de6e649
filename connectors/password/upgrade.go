package password

import "context"

// Upgrader is a Directory that replaces an outdated password hash (one
// imported from a former system) once the password has been verified
// against it; the connector calls it after every successful login.
type Upgrader interface {
	UpgradePassword(ctx context.Context, personID, oldHash, password string) error
}
