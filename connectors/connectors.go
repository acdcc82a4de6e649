// Package connectors defines how the broker talks to login methods. A
// connector lives in its own folder under connectors/, implements one of the
// interaction interfaces below and returns an Identity; it never imports the
// broker or another connector.
package connectors

import (
	"context"
	"errors"
	"net/http"
)

// Kind says what an identity is.
type Kind string

// Identity kinds.
const (
	KindPerson      Kind = "person"
	KindUnit        Kind = "unit"
	KindOperator    Kind = "operator"
	KindLegalPerson Kind = "legal_person"
)

// Identity is what a connector proved about the user.
type Identity struct {
	ConnectorID string         // which configured connector
	Subject     string         // stable upstream subject (for password: the broker person ID)
	Kind        Kind           // person | unit | operator | legal_person
	Name        string         // display name
	UnitID      string         // 统一社会信用代码 when acting for a unit
	Phone       string         // never logged unmasked
	AMR         []string       // RFC 8176 values
	ACR         string         // assurance level the broker assigns for this method
	Claims      map[string]any // upstream extras for claim mapping
	// LinkPolicy says how the broker maps (ConnectorID, Subject) to a
	// principal. Empty: Subject already is a broker person ID (password,
	// sms).
	LinkPolicy LinkPolicy
}

// LinkPolicy is how an upstream identity becomes a broker principal.
type LinkPolicy string

// Link policies (ARCHITECTURE.md, "Accounts and links").
const (
	// LinkAuto: the identity proves the principal itself (a unit
	// certificate's credit code, a verified provincial identity); the link
	// is made on first use when the unit or person exists.
	LinkAuto LinkPolicy = "auto"
	// LinkBound: only identities an administrator linked may log in (CA
	// certificates bound at the counter).
	LinkBound LinkPolicy = "bound"
	// LinkSelfBind: an unlinked identity proves an existing person once
	// (ID number and agent password, or an SMS code), then stays linked.
	LinkSelfBind LinkPolicy = "self-bind"
)

// ParseLinkPolicy checks a configured link policy; "" gives def.
func ParseLinkPolicy(s string, def LinkPolicy) (LinkPolicy, error) {
	switch p := LinkPolicy(s); p {
	case "":
		return def, nil
	case LinkAuto, LinkBound, LinkSelfBind:
		return p, nil
	}
	return "", errors.New("must be auto, bound or self-bind")
}

// Connector is what every login method is.
type Connector interface {
	// ID is the configured connector ID (unique, used in URLs and `idp`).
	ID() string
	// Type is the registry type, e.g. "password".
	Type() string
	// DisplayName is the button label in lang ("zh-CN" or "en").
	DisplayName(lang string) string
}

// Credentials is what a form-based login collects.
type Credentials struct {
	User     string // ID number or mobile
	Secret   string // password or one-time code
	RemoteIP string
}

// PasswordLogin is the interaction of form-based connectors (password, sms).
type PasswordLogin interface {
	Connector
	Login(ctx context.Context, c Credentials) (Identity, error)
}

// CodeSender is a form-based connector whose secret is a one-time code it
// sends on request (sms): the login page offers a "send code" button.
type CodeSender interface {
	Connector
	// SendCode sends a code to c.User (a mobile) for a later Login;
	// c.RemoteIP is set, c.Secret unused. It answers alike whether or not
	// the user is registered, so the page never tells; limits answer with
	// a *LoginError of Code "rate_limited".
	SendCode(ctx context.Context, c Credentials) error
}

// RedirectLogin is the interaction of connectors that send the browser to
// an upstream (alipay, wechat, oidc, cas).
type RedirectLogin interface {
	Connector
	LoginURL(ctx context.Context, state, callbackURL string) (string, error)
	HandleCallback(ctx context.Context, r *http.Request) (Identity, error)
}

// LoginError is an error whose text may be shown to the user. Message is
// keyed by language; Code is stable for logs and metrics.
type LoginError struct {
	Code    string            // e.g. "invalid_credentials", "locked", "rate_limited"
	Message map[string]string // lang → text
	Err     error             // cause, for logs only
	// Lockout is set on the failure that locked a login or account, so
	// the broker audits the lockout once, when it happens.
	Lockout bool
}

func (e *LoginError) Error() string {
	if e.Err != nil {
		return "login: " + e.Code + ": " + e.Err.Error()
	}
	return "login: " + e.Code
}

func (e *LoginError) Unwrap() error { return e.Err }

// Text returns the message in lang, falling back to zh-CN.
func (e *LoginError) Text(lang string) string {
	if m, ok := e.Message[lang]; ok {
		return m
	}
	return e.Message["zh-CN"]
}

// AsLoginError extracts a *LoginError from err.
func AsLoginError(err error) (*LoginError, bool) {
	var le *LoginError
	ok := errors.As(err, &le)
	return le, ok
}

// Assurance is implemented by connectors that declare the assurance level
// (`acr`) their logins reach, so the login page can offer only methods
// strong enough for a client's acr_values.
type Assurance interface {
	ACR() string
}
