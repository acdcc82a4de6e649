// Package store defines what the broker keeps: small interfaces, one per
// aggregate, that the memory and redis implementations both satisfy and that
// storetest checks. Anything secret (codes, refresh tokens, session cookies)
// reaches the store only as a hash computed by the caller.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Errors every implementation returns (wrapped or not); compare with
// errors.Is. Not found, conflict and unavailable are the connectors
// contract's errors, defined once there: what the store returns is what
// the connector host hands on.
var (
	// ErrNotFound: no such record, or it expired.
	ErrNotFound = connectors.ErrNotFound
	// ErrConflict: a compare-and-set lost, a unique index is taken, or a
	// one-way transition was attempted twice.
	ErrConflict = connectors.ErrConflict
	// ErrCodeReplayed: an authorization code was presented a second time.
	ErrCodeReplayed = errors.New("store: authorization code replayed")
	// ErrRefreshReused: a refresh token that was already rotated was
	// presented again; the whole family has been revoked (RFC 9700 §4.14.2).
	ErrRefreshReused = errors.New("store: refresh token reused")
	// ErrRevoked: the refresh family was revoked.
	ErrRevoked = errors.New("store: revoked")
	// ErrUnavailable: the backend could not be reached. The broker answers 503.
	ErrUnavailable = connectors.ErrUnavailable
)

// Authentication is what a completed login established: who, for which
// unit, how and how strongly. Auth requests and browser sessions carry it.
type Authentication struct {
	Subject   string    `json:"sub"`
	AuthTime  time.Time `json:"auth_time"`
	AMR       []string  `json:"amr,omitempty"`
	ACR       string    `json:"acr,omitempty"`
	IDP       string    `json:"idp,omitempty"`     // connector ID
	UnitID    string    `json:"unit_id,omitempty"` // 统一社会信用代码 when acting for a unit
	SessionID string    `json:"sid,omitempty"`     // browser session (hashed ID)
	// CertThumbprint is the x5t#S256 of the client certificate of an
	// mTLS login; access tokens are bound to it (RFC 8705 §3).
	CertThumbprint string `json:"x5t_s256,omitempty"`
}

// AuthRequest is an authorization request between /authorize and the code
// exchange. Auth is nil until the login completed it.
type AuthRequest struct {
	ID                  string   `json:"id"`
	ClientID            string   `json:"client_id"`
	RedirectURI         string   `json:"redirect_uri"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	Scopes              []string `json:"scopes,omitempty"`
	ResponseType        string   `json:"response_type"`
	ResponseMode        string   `json:"response_mode,omitempty"`
	CodeChallenge       string   `json:"code_challenge,omitempty"`
	CodeChallengeMethod string   `json:"code_challenge_method,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	MaxAge              *int64   `json:"max_age,omitempty"` // seconds; nil when absent
	ACRValues           []string `json:"acr_values,omitempty"`
	UILocales           []string `json:"ui_locales,omitempty"`
	LoginHint           string   `json:"login_hint,omitempty"`
	IDPHint             string   `json:"idp_hint,omitempty"`
	// DPoPJKT is the authorization request's dpop_jkt (RFC 9449 §10): the
	// code is redeemed only with a proof of that key.
	DPoPJKT   string          `json:"dpop_jkt,omitempty"`
	BrowserID string          `json:"browser_id"` // hash of the browser-binding cookie
	CreatedAt time.Time       `json:"created_at"`
	Auth      *Authentication `json:"auth,omitempty"`
}

// AuthRequests keeps authorization requests for their short lifetime.
type AuthRequests interface {
	CreateAuthRequest(ctx context.Context, r *AuthRequest, ttl time.Duration) error
	GetAuthRequest(ctx context.Context, id string) (*AuthRequest, error)
	// CompleteAuthRequest records the login once; ErrConflict when the
	// request is already complete, ErrNotFound when it expired.
	CompleteAuthRequest(ctx context.Context, id string, a Authentication) error
	DeleteAuthRequest(ctx context.Context, id string) error
}

// Codes maps authorization codes (as hashes) to their auth request.
type Codes interface {
	SaveCode(ctx context.Context, codeHash, authRequestID string, ttl time.Duration) error
	// ConsumeCode returns the auth request ID the first time and leaves a
	// tombstone for tombstoneTTL; a second call returns the same ID together
	// with ErrCodeReplayed so the caller can revoke what the code issued.
	ConsumeCode(ctx context.Context, codeHash string, tombstoneTTL time.Duration) (authRequestID string, err error)
}

// RefreshToken is one member of a refresh-token family. A family is one
// grant: it starts at a code exchange and every rotation replaces its
// member by the next generation; only the newest member is valid.
type RefreshToken struct {
	FamilyID  string    `json:"family_id"`
	ClientID  string    `json:"client_id"`
	Subject   string    `json:"sub"`
	Scopes    []string  `json:"scopes,omitempty"`
	Audience  []string  `json:"aud,omitempty"`
	AMR       []string  `json:"amr,omitempty"`
	ACR       string    `json:"acr,omitempty"`
	AuthTime  time.Time `json:"auth_time"`
	IDP       string    `json:"idp,omitempty"`
	UnitID    string    `json:"unit_id,omitempty"`
	SessionID string    `json:"sid,omitempty"`
	IssuedAt  time.Time `json:"iat"`
	ExpiresAt time.Time `json:"exp"`

	// Generation numbers the family's members: 1 for the one the code
	// exchange issued, one more per rotation. The token carries it under
	// a MAC (broker/provider), which is what lets a store recognise a
	// former member without keeping it (RFC 9700 §4.14.2). 0 on members
	// stored before generations existed.
	Generation uint64 `json:"gen,omitempty"`

	// CertThumbprint carries Authentication.CertThumbprint into refreshed
	// access tokens.
	CertThumbprint string `json:"x5t_s256,omitempty"`
	// DPoPJKT binds a public client's family to its DPoP key (RFC 9449
	// §5): a refresh needs a proof of that key.
	DPoPJKT string `json:"jkt,omitempty"`
}

// PresentedRefresh is a refresh token as a client presented it: the hash of
// the whole token and the generation it carries. The caller verified the
// generation (a MAC only the broker makes), so a store may trust it: a
// generation below the family's current one is a former member. 0: a token
// of the earlier format, which carries none; a family recognises those of
// its former members by the per-member records it kept for them.
type PresentedRefresh struct {
	Hash       string
	Generation uint64
}

// RefreshTokens stores refresh-token families with rotation and reuse
// detection (RFC 9700 §4.14.2). A family keeps one record: its current
// member's hash, generation and data, overwritten on rotation; revoked, it
// shrinks to a mark without member data for the rest of its lifetime.
// Hashes are of the whole token string.
type RefreshTokens interface {
	// CreateRefreshToken starts a family (rt.FamilyID) with its first
	// member, of generation rt.Generation.
	CreateRefreshToken(ctx context.Context, hash string, rt *RefreshToken) error
	// GetRefreshToken returns the member if tok is the family's current
	// one. A former member (tok.Generation below the current generation,
	// or a former member of the earlier format): the family is revoked and
	// ErrRefreshReused returned. A revoked family: ErrRevoked. Unknown or
	// expired, or a token of the current generation or above that is not
	// the current member: ErrNotFound, and nothing revoked.
	GetRefreshToken(ctx context.Context, familyID string, tok PresentedRefresh) (*RefreshToken, error)
	// RotateRefreshToken replaces the current member old by newHash, of
	// generation next.Generation, in one compare-and-set. If old is a
	// former member the family is revoked and ErrRefreshReused returned;
	// a next.Generation not above the current one changes nothing and is
	// ErrConflict (another rotation came first). If next.Subject was
	// revoked (RevokeSubject) after next.AuthTime, the family and its
	// grant are revoked and ErrRevoked returned: the subject check rides
	// on the rotation's round trip.
	RotateRefreshToken(ctx context.Context, familyID string, old PresentedRefresh, newHash string, next *RefreshToken) error
	// RevokeRefreshFamily revokes the family; unknown families are no error.
	RevokeRefreshFamily(ctx context.Context, familyID string) error
}

// Revocations is the denylist for self-contained (JWT) access tokens. Every
// entry expires once the tokens it concerns have.
type Revocations interface {
	RevokeAccessToken(ctx context.Context, jti string, until time.Time) error
	// RevokeGrant revokes access tokens minted for grantID and the refresh
	// family of the same ID. While `until` is ahead, the grant's mark
	// stands for the family, which is dropped: its tokens are ErrRevoked
	// until then and ErrNotFound after, so a revoked family costs nothing
	// beyond the tokens' lifetime. With `until` past, the family keeps a
	// revoked mark for the rest of its own lifetime.
	RevokeGrant(ctx context.Context, grantID string, until time.Time) error
	// RevokeSubject revokes every token of subject issued before `before`;
	// the mark is kept until `until`.
	RevokeSubject(ctx context.Context, subject string, before, until time.Time) error
	// AccessTokenRevoked answers all three questions in one round trip.
	// Any of jti, grantID and subject may be empty (not asked). Refresh
	// families and SSO sessions ask it too, with their login time.
	AccessTokenRevoked(ctx context.Context, jti, grantID, subject string, issuedAt time.Time) (bool, error)
}

// Session is a browser SSO session. ID is the hash of the cookie value.
type Session struct {
	ID        string         `json:"id"`
	Auth      Authentication `json:"auth"`
	CreatedAt time.Time      `json:"created_at"`
	ExpiresAt time.Time      `json:"expires_at"`
	// UserAgent and IP are the browser's at sign-in, shown to the person
	// on 我的账号 so they can tell their sessions apart.
	UserAgent string `json:"user_agent,omitempty"`
	IP        string `json:"ip,omitempty"`
}

// Sessions keeps browser sessions.
type Sessions interface {
	CreateSession(ctx context.Context, s *Session) error // expires at s.ExpiresAt
	GetSession(ctx context.Context, id string) (*Session, error)
	DeleteSession(ctx context.Context, id string) error
	// SessionsOf returns the live sessions of subject (Auth.Subject),
	// newest first.
	SessionsOf(ctx context.Context, subject string) ([]*Session, error)
}

// Counters back lockouts and rate limits: the very capability a connector
// is given (connectors.Counters, where its methods are documented).
type Counters = connectors.Counters

// KeySets stores the signing key set as an opaque, versioned blob; several
// broker instances agree on it through SwapKeySet.
type KeySets interface {
	// GetKeySet returns ErrNotFound when no key set was stored yet.
	GetKeySet(ctx context.Context) (data []byte, version int64, err error)
	// SwapKeySet stores data if the stored version still is oldVersion (0:
	// none stored yet) and returns the new version; ErrConflict otherwise.
	SwapKeySet(ctx context.Context, oldVersion int64, data []byte) (newVersion int64, err error)
}

// Client is a registered relying party.
type Client struct {
	ID                     string        `json:"id"`
	Name                   string        `json:"name"`
	SecretHash             string        `json:"secret_hash,omitempty"` // hex SHA-256; empty for public clients
	AuthMethod             string        `json:"auth_method"`           // client_secret_basic | client_secret_post | private_key_jwt | none
	ApplicationType        string        `json:"application_type"`      // web | native
	RedirectURIs           []string      `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs []string      `json:"post_logout_redirect_uris,omitempty"`
	GrantTypes             []string      `json:"grant_types,omitempty"`
	Scopes                 []string      `json:"scopes,omitempty"`     // extra scopes it may ask for
	Connectors             []string      `json:"connectors,omitempty"` // empty: all
	AccessTokenLifetime    time.Duration `json:"access_token_lifetime,omitempty"`
	IDTokenLifetime        time.Duration `json:"id_token_lifetime,omitempty"`
	RefreshTokenLifetime   time.Duration `json:"refresh_token_lifetime,omitempty"`
	// IDTokenSignedResponseAlg is the JWS algorithm of the client's ID
	// tokens (OpenID Connect Registration §2); empty: the broker's default.
	IDTokenSignedResponseAlg string `json:"id_token_signed_response_alg,omitempty"`
	// BackchannelLogoutURI receives logout tokens (OpenID Connect
	// Back-Channel Logout 1.0); *SessionRequired asks for sid in them.
	BackchannelLogoutURI             string `json:"backchannel_logout_uri,omitempty"`
	BackchannelLogoutSessionRequired bool   `json:"backchannel_logout_session_required,omitempty"`
	// FrontchannelLogoutURI is loaded in an iframe of the logged-out page
	// (OpenID Connect Front-Channel Logout 1.0); *SessionRequired adds iss
	// and sid to it.
	FrontchannelLogoutURI             string `json:"frontchannel_logout_uri,omitempty"`
	FrontchannelLogoutSessionRequired bool   `json:"frontchannel_logout_session_required,omitempty"`
	// DPoPBoundAccessTokens: every token request of the client must carry
	// a DPoP proof (RFC 9449 §5.2).
	DPoPBoundAccessTokens bool `json:"dpop_bound_access_tokens,omitempty"`
	// RequirePushedAuthorizationRequests: the client's authorization
	// requests must come through PAR (RFC 9126 §6).
	RequirePushedAuthorizationRequests bool `json:"require_pushed_authorization_requests,omitempty"`
	// JWKS (a JSON Web Key Set) or JWKSURI holds the public keys of a
	// private_key_jwt client (RFC 7523 §2.2, OpenID Connect Core §9).
	JWKS    string `json:"jwks,omitempty"`
	JWKSURI string `json:"jwks_uri,omitempty"`
	// TLSClientAuthSubjectDN or TLSClientAuthSANDNS names the certificate
	// of a tls_client_auth client (RFC 8705 §2.1.2).
	TLSClientAuthSubjectDN string `json:"tls_client_auth_subject_dn,omitempty"`
	TLSClientAuthSANDNS    string `json:"tls_client_auth_san_dns,omitempty"`
	// Profile "fapi2" holds the client to the FAPI 2.0 Security Profile
	// (PAR, DPoP-bound tokens, private_key_jwt, refresh without rotation).
	Profile string `json:"profile,omitempty"`
	// Source says who registered the client: SourceConfig, SourceAdmin or
	// SourceDynamic; empty on records written before sources existed.
	Source string `json:"source,omitempty"`
	// RegistrationTokenHash is the hex SHA-256 of the RFC 7592 registration
	// access token; only dynamically registered clients have one.
	RegistrationTokenHash string    `json:"registration_token_hash,omitempty"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`

	// Disabled: an administrator took the client out of service; it is
	// not served (unknown to the provider) until enabled again.
	Disabled bool `json:"disabled,omitempty"`
}

// Client sources.
const (
	SourceConfig  = "config"  // the configuration file: served from memory (clients.Static), never stored now; stored records with it are earlier versions' copies
	SourceAdmin   = "admin"   // the admin API
	SourceDynamic = "dynamic" // RFC 7591 dynamic registration
)

// Clients is the client registry.
type Clients interface {
	// PutClient creates or replaces the client.
	PutClient(ctx context.Context, c *Client) error
	// CreateClient creates the client; ErrConflict, and nothing written,
	// when its ID is taken.
	CreateClient(ctx context.Context, c *Client) error
	// UpdateClient reads client id, lets update change it and writes the
	// result if nobody changed the client in between (otherwise it reads
	// and calls update again), so concurrent updates, secret rotations and
	// deletions are never lost or undone. ErrNotFound when there is no such
	// client; an error from update is returned as is, with nothing written.
	// update must not change the ID and must not block: the memory store
	// calls it under its lock.
	UpdateClient(ctx context.Context, id string, update func(*Client) error) (*Client, error)
	GetClient(ctx context.Context, id string) (*Client, error)
	// DeleteClient removes the client; ErrNotFound when there is none.
	DeleteClient(ctx context.Context, id string) error
	// ListClients pages in ID order; cursor "" starts, next "" ends.
	ListClients(ctx context.Context, cursor string, limit int) (clients []*Client, next string, err error)
}

// Unit is an employer account, keyed by its 统一社会信用代码.
type Unit struct {
	ID         string `json:"id"`          // unified social credit code
	CustomerNo string `json:"customer_no"` // 单位客户号
	// OrgCode is the 9-character 组织机构代码 inside the credit code
	// (positions 9–17); certificates from before 2015 carry only it.
	OrgCode   string    `json:"org_code,omitempty"`
	Name      string    `json:"name"`
	Status    string    `json:"status"` // active | disabled
	CreatedAt time.Time `json:"created_at"`
}

// Person is a natural person. The ID number is kept only as a keyed hash
// (for lookup), an encrypted value and a masked display form; the mobile the
// same way.
type Person struct {
	ID           string    `json:"id"` // opaque broker ID, the token `sub`
	Name         string    `json:"name"`
	IDType       string    `json:"id_type"`
	IDHash       string    `json:"id_hash"`
	IDMasked     string    `json:"id_masked"`
	IDSealed     []byte    `json:"id_sealed,omitempty"`
	MobileHash   string    `json:"mobile_hash,omitempty"`
	MobileMasked string    `json:"mobile_masked,omitempty"`
	MobileSealed []byte    `json:"mobile_sealed,omitempty"`
	PasswordHash string    `json:"password_hash,omitempty"` // argon2id PHC string
	Status       string    `json:"status"`                  // active | disabled
	CreatedAt    time.Time `json:"created_at"`

	// MustChangePassword: staff reset the password; the person must
	// choose a new one before it signs them in.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

// Agent (经办人) is a person acting for a unit.
type Agent struct {
	PersonID  string    `json:"person_id"`
	UnitID    string    `json:"unit_id"`
	Roles     []string  `json:"roles,omitempty"` // unit_admin | operator
	Status    string    `json:"status"`          // active | disabled
	CreatedAt time.Time `json:"created_at"`
}

// Accounts keeps units, persons and agent records. Lists page in ID order:
// cursor "" starts, next "" ends, limit <= 0 means 100.
type Accounts interface {
	// AddUnit creates the unit; ErrConflict when its ID exists.
	AddUnit(ctx context.Context, u *Unit) error
	// PutUnit creates or replaces the unit.
	PutUnit(ctx context.Context, u *Unit) error
	GetUnit(ctx context.Context, id string) (*Unit, error)
	ListUnits(ctx context.Context, cursor string, limit int) (units []*Unit, next string, err error)
	// FindUnitByOrgCode returns the unit whose OrgCode is org.
	FindUnitByOrgCode(ctx context.Context, org string) (*Unit, error)
	// PutPerson creates or replaces a person and its lookup indexes in one
	// step; ErrConflict when IDHash or MobileHash belongs to another person.
	PutPerson(ctx context.Context, p *Person) error
	GetPerson(ctx context.Context, id string) (*Person, error)
	FindPersonByIDHash(ctx context.Context, idHash string) (*Person, error)
	FindPersonByMobileHash(ctx context.Context, mobileHash string) (*Person, error)
	ListPersons(ctx context.Context, cursor string, limit int) (persons []*Person, next string, err error)
	// AddAgent creates the record; ErrConflict when (person, unit) has one.
	AddAgent(ctx context.Context, a *Agent) error
	// PutAgent creates or replaces the record for (person, unit).
	PutAgent(ctx context.Context, a *Agent) error
	AgentsOfPerson(ctx context.Context, personID string) ([]*Agent, error)
	// AgentsOfUnit pages the unit's records in person-ID order.
	AgentsOfUnit(ctx context.Context, unitID, cursor string, limit int) (agents []*Agent, next string, err error)
	// DeleteAgent removes the record; ErrNotFound when there is none.
	DeleteAgent(ctx context.Context, personID, unitID string) error
}

// Records are the aggregates that must outlive a Redis flush: what
// PostgreSQL keeps when it is configured, and what `gjjid migrate` copies
// from one store to another.
type Records interface {
	KeySets
	Clients
	Accounts
	Links
	AuditLog
	Staff
}

// Store is everything the broker keeps.
type Store interface {
	AuthRequests
	Codes
	RefreshTokens
	Revocations
	Sessions
	Counters
	Values
	Records
	QRSessions
	LogoutSessions
	LogoutQueue
	// Ping reports whether the backend is reachable (readiness).
	Ping(ctx context.Context) error
	Close() error
}
