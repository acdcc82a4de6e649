package connectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// The host is the broker as a connector sees it: a set of small, typed
// capabilities handed over in Deps. One implementation (broker/connhost)
// provides them over the broker's store, accounts, audit trail and tokens;
// one in-memory double (connectors/connectorstest), checked against it by a
// shared contract test, serves the connectors' own tests. A connector uses
// only what it needs and checks in Open that it was given.

// Contract errors. The host wraps every failure it returns in one of these
// (compare with errors.Is); a connector never sees a store's own errors.
var (
	// ErrNotFound: no such record, or it expired.
	ErrNotFound = errors.New("connectors: not found")
	// ErrConflict: a compare-and-set lost, or the record exists already.
	ErrConflict = errors.New("connectors: conflict")
	// ErrInvalidToken: the access token is malformed, expired, revoked or
	// not the broker's (RFC 6750 §3.1 invalid_token).
	ErrInvalidToken = errors.New("connectors: invalid access token")
	// ErrNoToken: the request carried no access token (RFC 6750 §3.1: a
	// bare challenge).
	ErrNoToken = errors.New("connectors: no access token")
	// ErrInvalidProof: the DPoP proof of a DPoP-bound token is missing,
	// wrong or replayed (RFC 9449 §7.1 invalid_dpop_proof).
	ErrInvalidProof = errors.New("connectors: invalid DPoP proof")
	// ErrUnavailable: the store cannot be reached. The broker answers 503
	// temporarily_unavailable, never an authentication error.
	ErrUnavailable = errors.New("connectors: unavailable")
	// ErrUnknownAccount: no account has the login, or the subject is not a
	// person.
	ErrUnknownAccount = errors.New("connectors: unknown account")
)

// Values keep short-lived values that expire by themselves: a login's
// upstream state while the browser is away, one-time codes, device keys,
// used nonces. Callers name keys by a hash when the key would otherwise
// hold personal data or a secret. Every value expires.
type Values interface {
	// SetValue stores value under key for ttl, replacing what was there.
	SetValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// AddValue stores value only when key holds nothing; ErrConflict
	// otherwise (the existing value and its lifetime are unchanged).
	AddValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// GetValue returns the value; ErrNotFound when absent or expired.
	GetValue(ctx context.Context, key string) ([]byte, error)
	// TakeValue returns the value and deletes it in one step, so of several
	// concurrent callers exactly one gets it; the others get ErrNotFound.
	TakeValue(ctx context.Context, key string) ([]byte, error)
	// DeleteValue forgets key; an unknown key is no error.
	DeleteValue(ctx context.Context, key string) error
}

// Counters count events in windows that expire (lockouts, rate limits).
type Counters interface {
	// Incr adds one to key, (re)sets its lifetime to ttl and returns the
	// new count; an expired key counts from zero again.
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
	// Count is the current count; 0 for an unknown or expired key.
	Count(ctx context.Context, key string) (int64, error)
	// Reset forgets key.
	Reset(ctx context.Context, key string) error
}

// QRSessions keep cross-device logins: every step a compare-and-set, every
// state change waking the watchers on every broker instance.
type QRSessions interface {
	// CreateQR stores a new session, kept until ExpiresAt + keep;
	// ErrConflict when the ID is taken.
	CreateQR(ctx context.Context, s *QRSession, keep time.Duration) error
	// GetQR returns the session; ErrNotFound once it is gone.
	GetQR(ctx context.Context, id string) (*QRSession, error)
	// PollQR counts a poll by the holder of the poll secret; ErrConflict
	// (nothing counted) for anyone else, ErrNotFound once it is gone.
	PollQR(ctx context.Context, id, pollHash string) (*QRSession, error)
	// UpdateQR applies u if its conditions hold; otherwise it returns the
	// current session with ErrConflict.
	UpdateQR(ctx context.Context, id string, u QRUpdate) (*QRSession, error)
	// AddQRToAuthRequest counts a QR code shown for an authorization
	// request, on the request itself; ErrNotFound once it is gone.
	AddQRToAuthRequest(ctx context.Context, authRequestID string) (int64, error)
	// WatchQR calls wake on every state change of id, anywhere, until stop
	// is called; wake must not block.
	WatchQR(id string, wake func()) (stop func())
}

// AccessToken is a verified access token the broker issued: for appscan,
// the app user's own.
type AccessToken struct {
	JTI      string
	Grant    string // the grant (login) it belongs to; stays the same across refreshes
	Subject  string // the broker's principal ID
	ClientID string
	Scopes   []string
	AMR      []string
	ACR      string
	IssuedAt time.Time
	Expiry   time.Time
}

// TokenVerifier checks the broker's own access tokens.
type TokenVerifier interface {
	// VerifyAccessToken checks signature, issuer, expiry and revocation;
	// ErrInvalidToken for a token that fails any of them, ErrUnavailable
	// when revocation cannot be checked.
	VerifyAccessToken(ctx context.Context, raw string) (AccessToken, error)
	// VerifyRequestToken checks the access token of r: `Authorization:
	// Bearer` (a DPoP-bound token is refused so) or `Authorization: DPoP`
	// with its proof (RFC 9449 §7). ErrNoToken without a token,
	// ErrInvalidProof for a bad proof, else as VerifyAccessToken.
	VerifyRequestToken(ctx context.Context, r *http.Request) (AccessToken, error)
}

// ClientNames name relying parties (for a confirmation screen).
type ClientNames interface {
	// ClientName is the client's display name; ErrNotFound for an unknown
	// client.
	ClientName(ctx context.Context, id string) (string, error)
}

// Account is what a connector learns about a person from the broker's
// accounts.
type Account struct {
	PersonID     string // opaque broker person ID, the identity's Subject
	Name         string
	PasswordHash string // empty: the person has no password and cannot log in with one
	Disabled     bool
	// MustChangePassword: the fund's staff reset the password; a login
	// with it may only choose a new one.
	MustChangePassword bool
}

// Accounts find the broker's persons and check their agent passwords.
type Accounts interface {
	// FindByLogin returns the account whose ID number or mobile is login
	// (normalised: 18 upper-case characters, or 11 digits);
	// ErrUnknownAccount when nobody has it.
	FindByLogin(ctx context.Context, login string) (Account, error)
	// Person returns the person with this broker ID (no password hash);
	// ErrUnknownAccount when there is none, e.g. for a unit's subject.
	Person(ctx context.Context, id string) (Account, error)
	// VerifyPassword checks password against a hash FindByLogin returned,
	// in constant time.
	VerifyPassword(hash, password string) (bool, error)
	// DummyVerify spends the time of a VerifyPassword, so that unknown and
	// disabled accounts answer as slowly as known ones.
	DummyVerify(password string)
	// UpgradePassword replaces a legacy hash (one imported from a former
	// system) by a current one after password was verified against
	// oldHash; a current hash, or one the person no longer has, is left
	// alone.
	UpgradePassword(ctx context.Context, personID, oldHash, password string) error
}

// Metrics count what operators watch of a connector.
type Metrics interface {
	// SMSSendFailure counts a text the provider refused after the retry
	// (gjjid_sms_send_failures_total{connector,code}).
	SMSSendFailure(connector, code string)
}

// Secrets are the server-side keys connectors need.
type Secrets struct {
	Pepper    []byte // mixed into password hashes
	IDHashKey []byte // keyed hash of ID numbers and mobiles, names of counters
}

// Logger is the part of *slog.Logger connectors use. Lines about a
// request are logged with its context (the …Context forms), so the
// broker's handler can add the request's trace and span IDs.
type Logger interface {
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
	InfoContext(ctx context.Context, msg string, args ...any)
	WarnContext(ctx context.Context, msg string, args ...any)
	ErrorContext(ctx context.Context, msg string, args ...any)
}

// Deps are what the host hands a connector when it opens: one typed field
// per capability. A field a connector does not use may be nil; one it uses
// must not be (Open says which is missing).
type Deps struct {
	Values   Values
	Counters Counters
	QR       QRSessions
	Tokens   TokenVerifier
	Clients  ClientNames
	Accounts Accounts
	Audit    Auditor
	Metrics  Metrics
	Secrets  Secrets
	// Logger is scoped to the connector (its type and ID); nil discards.
	Logger Logger
	// HTTPClient carries the connector's calls to its upstream; nil: the
	// connector's own default. Connectors set their own timeouts and
	// redirect rules on top of its Transport.
	HTTPClient *http.Client
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// ACRLevels are the broker's assurance levels, weakest first, for
	// connectors that compare levels (appscan caps a login at the app
	// session's).
	ACRLevels []string
}

// Log is the connector's logger: Logger, or one that discards.
func (d Deps) Log() Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// Clock is Now, or time.Now.
func (d Deps) Clock() func() time.Time {
	if d.Now == nil {
		return time.Now
	}
	return d.Now
}

// Transport is the round tripper of HTTPClient, or nil (the default).
func (d Deps) Transport() http.RoundTripper {
	if d.HTTPClient == nil {
		return nil
	}
	return d.HTTPClient.Transport
}

// Capability names a Deps field a connector cannot open without.
type Capability string

// The capabilities Require checks, named as their Deps fields.
const (
	NeedValues    Capability = "Values"
	NeedCounters  Capability = "Counters"
	NeedQR        Capability = "QR"
	NeedTokens    Capability = "Tokens"
	NeedClients   Capability = "Clients"
	NeedAccounts  Capability = "Accounts"
	NeedAudit     Capability = "Audit"
	NeedIDHashKey Capability = "Secrets.IDHashKey"
)

// given says whether the host handed over capability c.
func (d Deps) given(c Capability) bool {
	switch c {
	case NeedValues:
		return d.Values != nil
	case NeedCounters:
		return d.Counters != nil
	case NeedQR:
		return d.QR != nil
	case NeedTokens:
		return d.Tokens != nil
	case NeedClients:
		return d.Clients != nil
	case NeedAccounts:
		return d.Accounts != nil
	case NeedAudit:
		return d.Audit != nil
	case NeedIDHashKey:
		return len(d.Secrets.IDHashKey) > 0
	}
	panic(fmt.Sprintf("connectors: unknown capability %q", c))
}

// Require is the check a connector's Open makes of the capabilities it
// needs: the error naming the first one the host did not give (in the
// order asked), or nil.
func (d Deps) Require(typ, id string, needs ...Capability) error {
	for _, c := range needs {
		if !d.given(c) {
			return fmt.Errorf("%s connector %q: the host gave no %s (connectors.Deps.%s)", typ, id, c, c)
		}
	}
	return nil
}
