package connectors

// SecondFactorPassword is the second factor of a connector whose login
// proves a unit (a unit certificate) and then asks which agent of that
// unit is acting, by their ID number or mobile and 6-digit password.
const SecondFactorPassword = "password"

// SecondFactor is a connector whose logins need a second step before they
// count: SecondFactor names it ("" for none, or SecondFactorPassword). The
// broker runs the step with a password connector's Login, so that
// connector's lockout and limits apply.
type SecondFactor interface {
	Connector
	SecondFactor() string
}
