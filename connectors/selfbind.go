package connectors

import "fmt"

// SelfBinder is a connector whose unlinked logins go to the binding page
// (link policy self-bind), where the user proves an existing person with
// a PasswordLogin connector (password or sms).
type SelfBinder interface {
	Connector
	SelfBinds() bool
}

// checkProofMethods refuses a configuration in which a self-bind
// connector has no connector to prove the person with: every first login
// would end on the binding page with no way to bind. paths are the specs'
// YAML paths, by connector ID.
func checkProofMethods(cs []Connector, paths map[string]string) []error {
	var errs []error
	password := false
	for _, c := range cs {
		if _, ok := c.(PasswordLogin); ok {
			if _, sends := c.(CodeSender); !sends {
				password = true
			}
		}
	}
	for _, c := range cs {
		if sf, ok := c.(SecondFactor); ok && sf.SecondFactor() == SecondFactorPassword && !password {
			errs = append(errs, fmt.Errorf("%s.second_factor: password needs a connector of type password, whose agents' passwords the second step checks; add one", paths[c.ID()]))
		}
	}
	for _, c := range cs {
		if _, ok := c.(PasswordLogin); ok {
			return errs
		}
	}
	for _, c := range cs {
		if sb, ok := c.(SelfBinder); ok && sb.SelfBinds() {
			errs = append(errs, fmt.Errorf("%s.link_policy: self-bind needs a connector of type password or sms, by which a first login proves an existing person on the binding page; add one, or set link_policy: bound", paths[c.ID()]))
		}
	}
	return errs
}
