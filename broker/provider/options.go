package provider

import (
	"context"
	"crypto/x509"
	"net/http"
	"time"

	"github.com/gjjid/gjjid/broker/dpop"

	jose "github.com/go-jose/go-jose/v4"
)

// KeySource is what the provider needs of the signing keys; an in-memory
// read on every call (keys.Manager satisfies it through a small adapter).
type KeySource interface {
	SigningKey() (kid string, alg jose.SignatureAlgorithm, key any)
	// SigningKeyFor is the active key of algorithm alg (key nil: none yet),
	// for ID tokens of clients that registered id_token_signed_response_alg.
	SigningKeyFor(alg jose.SignatureAlgorithm) (kid string, key any)
	PublicKeys() []PublicKey // active first
	JWKS() []byte
	Version() int64
}

// PublicKey is a published verification key.
type PublicKey struct {
	KID string
	Alg jose.SignatureAlgorithm
	Key any
}

// Directory resolves what tokens say about a subject.
type Directory interface {
	Profile(ctx context.Context, subject, unitID string) (Profile, error)
	// IDNumber returns the subject's ID document type and full number, for
	// the gjj:id_number scope; ok is false for subjects without one.
	IDNumber(ctx context.Context, subject string) (idType, number string, ok bool, err error)
}

// Profile is the display data of a principal acting for a unit.
type Profile struct {
	Name     string
	UnitName string
	Roles    []string
}

// Revocation is a revocation the provider made, for the audit trail.
type Revocation struct {
	Reason   string // RevokedByClient, RevokedCodeReplay or RevokedRefreshReuse
	ClientID string // the client that asked (RFC 7009), when known
	Subject  string // whose tokens, when known
	Grant    string // the grant (refresh family) revoked, if any
	JTI      string // the access token revoked, if any
}

// Revocation reasons.
const (
	RevokedByClient     = "client_request" // RFC 7009 /revoke
	RevokedCodeReplay   = "code_replay"    // an authorization code presented twice
	RevokedRefreshReuse = "refresh_reuse"  // a rotated refresh token presented again
)

// Options configure the provider.
type Options struct {
	// OnRevoke is told of every revocation the provider makes (nil: none);
	// the broker audits them.
	OnRevoke func(ctx context.Context, r Revocation)
	Issuer   string
	// CryptoKey (token_key) is the AES-256-GCM key of authorization codes
	// and the root of the refresh tokens' MAC key (tokenid.go); shared by
	// all instances.
	CryptoKey [32]byte
	// AllowInsecure permits an http issuer (loopback development only).
	AllowInsecure bool
	// Login is the login's side of the flow (login.go); required.
	Login Login
	// Clients is the client cache the login reads through too; required.
	Clients *ClientCache
	// Logout is told of every login's clients and of sessions end_session
	// ends (logout.go); nil: no back- or front-channel logout.
	Logout Logout
	// ACRValues lists the assurance levels, weakest first, for discovery.
	ACRValues []string
	// LoggedOutURL is where end_session sends browsers without a valid
	// post_logout_redirect_uri.
	LoggedOutURL string

	AccessTokenLifetime  time.Duration
	IDTokenLifetime      time.Duration
	RefreshTokenLifetime time.Duration
	CodeLifetime         time.Duration
	AuthRequestLifetime  time.Duration
	// RegistrationEndpoint, when set, is advertised in discovery as the
	// RFC 7591 registration_endpoint (absolute URL).
	RegistrationEndpoint string
	// GrantScopes narrows the scopes a person's access token carries at
	// issuance (staff role scopes only for staff holding the role); nil:
	// no narrowing. Service tokens (client_credentials) are not passed.
	GrantScopes func(ctx context.Context, subject string, scopes []string) ([]string, error)
	// PARLifetime is how long a pushed request_uri lives (RFC 9126; 0 or
	// more than 60 s: 60 s); RequirePAR refuses authorization requests of
	// every client that were not pushed.
	PARLifetime time.Duration
	RequirePAR  bool
	// ClientKeysHTTP fetches private_key_jwt clients' jwks_uri (nil: a
	// plain client with a 5 s timeout).
	ClientKeysHTTP *http.Client
	// TLSClientCAs are the CAs that issue tls_client_auth clients'
	// certificates (RFC 8705 §2.1); nil: that method cannot succeed.
	TLSClientCAs *x509.CertPool
	// MTLSURL is the mTLS listener's base URL, for discovery's
	// mtls_endpoint_aliases; "" without one.
	MTLSURL string
	// DPoP checks DPoP proofs (RFC 9449); nil: DPoP is not offered.
	DPoP *dpop.Verifier
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// maxTokenLifetime bounds how long anything a grant issued can be used: the
// lifetime of revocation marks and code tombstones.
func (o Options) maxTokenLifetime() time.Duration {
	return max(o.AccessTokenLifetime, o.IDTokenLifetime) + 5*time.Minute
}

// SilentAnswer is the login's answer to prompt=none.
type SilentAnswer int

// Answers to prompt=none.
const (
	LoginRequired SilentAnswer = iota // no session, or it does not satisfy the request
	Silently                          // the session answers the request
	ChooseAccount                     // a session, but the person must choose a unit
)
