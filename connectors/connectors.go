// Package connectors defines how the broker talks to login methods. A
// connector lives in its own folder under connectors/, implements one of the
// interaction interfaces below and returns an Identity; it never imports the
// broker or another connector.
package connectors

import (
	"context"
	"errors"
	"net/http"
	"time"
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
	// AltSubjects are further upstream subjects of the same identity that
	// a link may name (a certificate's issuer + serial besides its
	// fingerprint); Resolve looks them up after Subject.
	AltSubjects []string
	// UpstreamSession is the upstream's handle of this login (CAS: the
	// service ticket) by which a SingleLogout connector names it when the
	// upstream ends it. Never shown or logged.
	UpstreamSession string
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

// WithUserAgent gives a redirect connector's LoginURL the browser's
// User-Agent: WeChat needs it to choose between the website QR login (a
// PC browser) and official-account authorization (inside WeChat).
func WithUserAgent(ctx context.Context, ua string) context.Context {
	return context.WithValue(ctx, userAgentKey{}, ua)
}

// UserAgent is the browser's User-Agent set by WithUserAgent, or "".
func UserAgent(ctx context.Context) string {
	s, _ := ctx.Value(userAgentKey{}).(string)
	return s
}

type userAgentKey struct{}

// SubjectTokenExchange is implemented by connectors whose upstream hands
// an app a one-time credential that the app presents at the broker's token
// endpoint as an RFC 8693 subject_token (the WeChat mini program's
// js_code); the broker then issues tokens for the linked principal.
type SubjectTokenExchange interface {
	Connector
	// SubjectTokenTypes are the subject_token_type URIs it redeems.
	SubjectTokenTypes() []string
	// AcceptsSubjectToken reports whether this connector redeems tokens of
	// tokenType presented by OAuth client clientID.
	AcceptsSubjectToken(tokenType, clientID string) bool
	// ExchangeSubjectToken redeems token. Failures the client may see are
	// *LoginError.
	ExchangeSubjectToken(ctx context.Context, clientID, tokenType, token string) (Identity, error)
}

// LoginHints are what the relying party asked of a login that a redirect
// connector passes on to its upstream; LoginURL finds them in its ctx.
type LoginHints struct {
	// ForceLogin: prompt=login or max_age=0, the upstream must ask for
	// credentials again (CAS renew=true, OIDC prompt=login).
	ForceLogin bool
}

type loginHintsKey struct{}

// WithLoginHints returns ctx carrying h.
func WithLoginHints(ctx context.Context, h LoginHints) context.Context {
	return context.WithValue(ctx, loginHintsKey{}, h)
}

// LoginHintsFrom returns the hints in ctx (zero when none).
func LoginHintsFrom(ctx context.Context) LoginHints {
	h, _ := ctx.Value(loginHintsKey{}).(LoginHints)
	return h
}

// UpstreamLogout is implemented by redirect connectors whose upstream
// keeps a session of its own (OIDC RP-initiated logout, CAS /logout):
// when the broker's SSO session of a login through them ends at
// end_session, the browser passes through the upstream's logout.
type UpstreamLogout interface {
	RedirectLogin
	// LogoutURL is where to send the browser; the upstream must send it
	// back to returnURL with `state` in the query, as for LoginURL. ""
	// means the upstream offers no logout.
	LogoutURL(ctx context.Context, state, returnURL string) (string, error)
}

// SingleLogout is implemented by redirect connectors whose upstream ends
// logins by a back-channel POST to the callback URL (CAS single logout,
// a logoutRequest form field).
type SingleLogout interface {
	RedirectLogin
	// LogoutSession reads such a request and returns the handle
	// (Identity.UpstreamSession) of the login it ends; an error for
	// anything else.
	LogoutSession(ctx context.Context, r *http.Request) (string, error)
}

// CodeUserRefused is the LoginError code of a login the user refused at
// the upstream (declined WeChat's or Alipay's authorization, cancelled at
// a provincial platform). The broker sends the user back to the chooser,
// or to the relying party with error=access_denied when no other method is
// left; every redirect connector returns it for that case.
const CodeUserRefused = "upstream_denied"

// CodeRateLimited is the LoginError code of every limit a connector
// enforces (too many tries, sends or starts); pages and APIs answer it
// with 429.
const CodeRateLimited = "rate_limited"

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

// CrossDevice is the interaction of connectors where the user confirms the
// login on another device (appscan: the fund's app scans a QR code that the
// login page shows; RFC 10027 cross-device flows). The broker's login drives
// it: Start when it shows the page, Status and Watch while the browser
// waits (Server-Sent Events or long polls), and Redeem once Status handed
// the browser its one-time ticket. The other device talks to the
// connector's own Handler, which the broker mounts at Paths.
type CrossDevice interface {
	Connector
	// Start opens a challenge for one browser's authorization request.
	// Limits answer with a *LoginError of Code "rate_limited".
	Start(ctx context.Context, r CrossDeviceRequest) (Challenge, error)
	// Status is what the holder of pollSecret may know of challenge id now;
	// with poll set it counts one browser request against the challenge's
	// poll limit. When the state is confirmed it carries a fresh one-time
	// login ticket. An unknown challenge, or a wrong secret, is a
	// *LoginError of Code "not_found" (alike, so the QR's ID alone tells
	// nothing); too many polls one of Code "rate_limited".
	Status(ctx context.Context, id, pollSecret string, poll bool) (CrossDeviceStatus, error)
	// PollTimeout is how long a long poll waits for a change.
	PollTimeout() time.Duration
	// Watch calls wake whenever challenge id may have changed, on any
	// broker instance, until stop is called; wake must not block. Register
	// before reading the status.
	Watch(id string, wake func()) (stop func())
	// Image returns the challenge as a PNG for the holder of pollSecret.
	Image(ctx context.Context, id, pollSecret string) ([]byte, error)
	// Redeem consumes the confirmed challenge, once, for the browser that
	// holds its poll secret and ticket, and returns who confirmed it.
	// Failures the user may see are *LoginError.
	Redeem(ctx context.Context, r Redemption) (Identity, error)
	// Handler serves the other device's API (and any page of the
	// connector's own) under Paths, path prefixes such as "/api/v1/qr/".
	Handler() http.Handler
	Paths() []string
}

// CrossDeviceRequest is what the login knows of the browser that asks.
type CrossDeviceRequest struct {
	AuthRequestID string
	ClientID      string
	ACRValues     []string // the request's acr_values
	RemoteIP      string
	UserAgent     string
}

// Challenge is a started cross-device login.
type Challenge struct {
	ID         string // opaque, at least 128 bits; carries no user data
	Content    string // what the QR code encodes (deep link prefix + ID)
	PollSecret string // for this browser only (an HttpOnly cookie): the ID is on screen
	Image      []byte // the QR code as a PNG
	ExpiresAt  time.Time
}

// Cross-device states as the browser sees them.
const (
	CrossDeviceWaiting   = "waiting"
	CrossDeviceScanned   = "scanned"
	CrossDeviceConfirmed = "confirmed"
	CrossDeviceCancelled = "cancelled"
	CrossDeviceExpired   = "expired"
	CrossDeviceConsumed  = "consumed" // the login was completed with it
)

// CrossDeviceStatus is a challenge's state for the browser.
type CrossDeviceStatus struct {
	State     string
	Name      string // masked name of who scanned (张*), from scanned on
	Ticket    string // with confirmed: the one-time login ticket for Redeem
	ExpiresAt time.Time
}

// Final reports whether the state never changes again.
func (s CrossDeviceStatus) Final() bool {
	switch s.State {
	case CrossDeviceWaiting, CrossDeviceScanned:
		return false
	}
	return true
}

// Redemption is the browser's claim on a confirmed challenge.
type Redemption struct {
	ID            string
	PollSecret    string
	Ticket        string
	AuthRequestID string // must be the request the challenge was started for
}

// Evidence is what a browser presents to prove it holds a certificate's
// private key: the chain of a mutual-TLS handshake (direct, or forwarded
// by a trusted TLS-terminating proxy), or a certificate and its signature
// over a one-time challenge the broker issued.
type Evidence struct {
	// Chain is the DER certificates of an mTLS handshake, leaf first. When
	// set, the handshake proved the key and the fields below are unused.
	Chain [][]byte
	// Certificate is the posted certificate, PEM or base64 DER; further
	// PEM blocks are intermediates.
	Certificate string
	// Signature is the posted signature over Challenge, base64: a raw
	// signature (PKCS #1 v1.5, ECDSA or SM2) or a PKCS #7/CMS SignedData.
	Signature string
	// Format is "raw", "pkcs7" or "" (detect).
	Format string
	// Challenge is the one-time challenge the broker issued for this
	// browser's login attempt and has already consumed.
	Challenge string
}

// CertificateLogin is the interaction of certificate connectors (x509).
type CertificateLogin interface {
	Connector
	Authenticate(ctx context.Context, e Evidence) (Identity, error)
	// AcceptsMTLS and AcceptsChallenge say which presentations the
	// connector is configured for.
	AcceptsMTLS() bool
	AcceptsChallenge() bool
}
