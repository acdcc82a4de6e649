// Package logout tells relying parties that a user's broker session ended
// (OpenID Connect Back-Channel Logout 1.0 and Front-Channel Logout 1.0).
//
// The provider records which clients with a logout URI received tokens in
// each SSO session (Participated). When a session ends — logout at
// end_session, an upstream's single logout — or everything of a subject
// ends — an administrator's revocation, a disabled agent, unit or person,
// a password reset — the clients of what ended are taken from the store in
// one step, so a second trigger finds nothing to send twice. Back-channel
// clients get a logout token through a durable queue in the store that the
// worker (Run) of every instance drains: an unreachable relying party is
// retried with exponential backoff for RetryFor and never slows the
// user's logout. Front-channel clients are framed by the logged-out page
// the browser is sent to.
package logout

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
)

// Reasons a session ended, in logout deliveries, audit events and logs.
const (
	ReasonEndSession     = "end_session"     // the user logged out (RP-initiated logout)
	ReasonUpstreamLogout = "upstream_logout" // the upstream's single logout (CAS SLO)
	ReasonAdminRevoke    = "admin_revoke"    // an administrator revoked the principal
	ReasonAgentDisabled  = "agent_disabled"  // an agent record was disabled or removed
	ReasonUnitDisabled   = "unit_disabled"
	ReasonPersonDisabled = "person_disabled"
	ReasonPasswordReset  = "password_reset"
)

// Store is what the service keeps in the store.
type Store interface {
	store.LogoutSessions
	store.LogoutQueue
	store.Values
}

// Clients looks clients up (provider.ClientCache does, from memory).
type Clients interface {
	Client(ctx context.Context, id string) (*store.Client, error)
}

// Keys are the broker's signing keys (the broker's keys adapter): logout
// tokens are signed like the client's ID tokens.
type Keys interface {
	SigningKey() (kid string, alg jose.SignatureAlgorithm, key any)
	SigningKeyFor(alg jose.SignatureAlgorithm) (kid string, key any)
}

// Options configure the service.
type Options struct {
	Store   Store
	Clients Clients
	Keys    Keys
	Issuer  string
	// LoggedOutURL is the broker's logged-out page, which frames the
	// front-channel logout URIs.
	LoggedOutURL string
	// RetryFor is how long a delivery is retried; default 24h. The first
	// retry waits RetryFor/10000 clamped to [100ms, 5s], each later one
	// twice as long, at most RetryFor/8 or an hour.
	RetryFor time.Duration
	// ParticipantTTL is how long the clients of a session are remembered:
	// as long as anything issued in it lives (session, refresh tokens).
	ParticipantTTL time.Duration
	// HTTPClient posts logout tokens; nil: a client over Transport with a
	// 10s timeout that follows no redirects.
	HTTPClient *http.Client
	// Transport carries the default client's requests (a tracing one);
	// nil: http.DefaultTransport.
	Transport http.RoundTripper
	Audit     audit.Recorder // nil: none
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service records participants, ends sessions and delivers logout tokens.
type Service struct {
	o       Options
	log     *slog.Logger
	metrics *metrics
	wake    chan struct{} // a local enqueue: deliver now
	base    time.Duration // first retry delay
	maxWait time.Duration // longest retry delay
	poll    time.Duration
	lease   time.Duration
	sem     chan struct{} // bounds concurrent deliveries
	wg      sync.WaitGroup
}

// New returns the service; Run delivers.
func New(o Options) *Service {
	if o.RetryFor <= 0 {
		o.RetryFor = 24 * time.Hour
	}
	if o.ParticipantTTL <= 0 {
		o.ParticipantTTL = 30 * 24 * time.Hour
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: o.Transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	base := min(max(o.RetryFor/10000, 100*time.Millisecond), 5*time.Second)
	s := &Service{
		o: o, log: o.Logger.With("component", "logout"), metrics: newMetrics(),
		wake: make(chan struct{}, 1), base: base, maxWait: min(max(o.RetryFor/8, base), time.Hour),
		poll: min(base, time.Second), lease: 3*o.HTTPClient.Timeout + 10*time.Second, sem: make(chan struct{}, 8),
	}
	if o.HTTPClient.Timeout == 0 {
		s.lease = time.Minute
	}
	return s
}

// SID is the sid claim of the SSO session whose (hashed) ID is
// sessionID: stable for the session, the same for every client, and
// derived one more time so that neither the cookie nor the store key can
// be recovered from it. "" for logins without a session.
func SID(sessionID string) string {
	if sessionID == "" {
		return ""
	}
	h := sha256.Sum256([]byte("gjjid/sid/v1\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(h[:18])
}

// hasLogoutURI reports whether the client wants to hear of logouts.
func hasLogoutURI(c *store.Client) bool {
	return c.BackchannelLogoutURI != "" || c.FrontchannelLogoutURI != ""
}

// Participated records that a client received tokens for a login, if the
// client registered a logout URI (nothing is written for others). A
// failure is logged: the tokens are already issued, and the worst outcome
// is a relying party that is not told of this session's end.
func (s *Service) Participated(ctx context.Context, p store.LogoutParticipant) {
	c, err := s.o.Clients.Client(ctx, p.ClientID)
	if err != nil || !hasLogoutURI(c) || p.Subject == "" {
		return
	}
	if err := s.o.Store.AddLogoutParticipant(ctx, p, s.o.ParticipantTTL); err != nil {
		s.log.ErrorContext(ctx, "record logout participant", "client", p.ClientID, "err", err)
	}
}
