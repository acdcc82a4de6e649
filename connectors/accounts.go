package connectors

import "errors"

// ErrUnknownAccount is what an account lookup returns (possibly wrapped)
// when no account has the login.
var ErrUnknownAccount = errors.New("connectors: unknown account")

// Account is what a form-based connector (password, SMS) learns about a
// login from the broker's accounts; it lives here, in the contract, so the
// broker can provide it without importing any connector.
type Account struct {
	PersonID     string // opaque broker person ID, the identity's Subject
	Name         string
	PasswordHash string // empty: the person has no password and cannot log in with one
	Disabled     bool
}
