package login

import "errors"

// Errors a Resolver returns (wrapped) for identities that cannot log in
// as they are; the login answers each in its own way.
var (
	// ErrNeedsBinding: the connector's policy is self-bind and the
	// identity is not linked yet; the login shows the binding page.
	ErrNeedsBinding = errors.New("login: identity not linked yet")
	// ErrNotBound: the connector's policy is bound and no administrator
	// linked the identity (e.g. a renewed certificate not yet bound).
	ErrNotBound = errors.New("login: identity not bound by an administrator")
	// ErrNoAccount: the identity names a person or unit the broker does
	// not know, or one that is disabled.
	ErrNoAccount = errors.New("login: no account for this identity")
)
