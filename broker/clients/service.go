package clients

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
)

// Caller is who asks for a change. It decides what may be granted and is
// recorded as the Source of a client it creates.
type Caller int

// Callers.
const (
	// Admin is the admin API: an administrator, who may grant reserved scopes.
	Admin Caller = iota + 1
	// Registration is RFC 7591/7592 dynamic registration.
	Registration
)

func (c Caller) source() string {
	switch c {
	case Admin:
		return store.SourceAdmin
	case Registration:
		return store.SourceDynamic
	}
	return ""
}

// Errors besides *FieldError; unknown clients wrap store.ErrNotFound and
// taken IDs store.ErrConflict.
var (
	// ErrReadOnly: the client comes from the configuration file, its only
	// source, so the APIs may not change it (as with Dex's and Keycloak's
	// static clients). Edit the file instead. Refusals are *ReadOnlyError.
	ErrReadOnly = errors.New("clients: the client is defined in the configuration file; change it there")
	// ErrStaleConfig: the client is a stored copy of a configuration-file
	// client (SourceStaleConfig), which is not served; it may only be
	// deleted. Refusals are *ReadOnlyError.
	ErrStaleConfig = errors.New("clients: the client is a stale stored copy of a configuration-file client; delete it or define it in the configuration file")
	// ErrPublicClient: a public client has no secret to rotate.
	ErrPublicClient = errors.New("clients: a public client (token_endpoint_auth_method none) has no secret")
	// ErrKeyClient: a private_key_jwt client signs with its keys and has
	// no secret to rotate.
	ErrKeyClient = errors.New("clients: a private_key_jwt client authenticates with its keys and has no secret")
)

// ReadOnlyError refuses to change a configured client, or a stale stored
// copy of one; it matches ErrReadOnly or ErrStaleConfig. Its message names
// the client and the fix, for API answers.
type ReadOnlyError struct {
	ID    string
	Stale bool // a SourceStaleConfig copy, not a client of the file
}

func (e *ReadOnlyError) Error() string {
	if e.Stale {
		return fmt.Sprintf("client %s is a stored copy of a configuration-file client that an earlier gjjid version wrote; "+
			"it is not served: delete it, or define it in the configuration file", e.ID)
	}
	return fmt.Sprintf("client %s is defined in the configuration file; change it there", e.ID)
}

// Is matches ErrStaleConfig for a stale copy and ErrReadOnly otherwise.
func (e *ReadOnlyError) Is(target error) bool {
	if e.Stale {
		return target == ErrStaleConfig
	}
	return target == ErrReadOnly
}

// Options configure a Service.
type Options struct {
	// Connectors are the configured connector IDs a client may name; nil
	// skips the check.
	Connectors []string
	// Max*Lifetime bound per-client lifetimes: the broker's own (tokens.*),
	// for which retired signing keys and revocation marks are kept. Zero:
	// 24h for access and ID tokens, 365 days for refresh tokens.
	MaxAccessTokenLifetime  time.Duration
	MaxIDTokenLifetime      time.Duration
	MaxRefreshTokenLifetime time.Duration
	// Changed is called with a client's ID after it was updated, given a new
	// secret or deleted: the broker passes provider.ClientCache.Forget so that this
	// instance applies the change at once. Other instances serve their
	// cached copy for up to the provider's client cache TTL (5s).
	Changed func(id string)
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Service validates client metadata and keeps clients in the store.
// Secrets are generated here (32 random bytes, base64url), shown once and
// stored only as the SHA-256 the provider checks (secrets.Hash). It reads
// through the Overlay, so configured clients are listed and shown beside
// the stored ones, and refuses to change them.
type Service struct {
	ov   *Overlay
	st   store.Clients
	opts Options
}

// New returns a service over the overlay's clients; it writes to the
// overlay's store.
func New(ov *Overlay, o Options) *Service {
	if o.MaxAccessTokenLifetime <= 0 {
		o.MaxAccessTokenLifetime = defaultMaxLife
	}
	if o.MaxIDTokenLifetime <= 0 {
		o.MaxIDTokenLifetime = defaultMaxLife
	}
	if o.MaxRefreshTokenLifetime <= 0 {
		o.MaxRefreshTokenLifetime = defaultMaxRT
	}
	return &Service{ov: ov, st: ov.st, opts: o}
}

// CreateOptions say who creates a client and with what.
type CreateOptions struct {
	By Caller
	// RegistrationTokenHash is secrets.Hash of the RFC 7592 registration
	// access token (dynamic registration only).
	RegistrationTokenHash string
}

// Create validates m, fills its defaults and stores a new client. secret
// is the plain client secret for a confidential client ("" for a public
// one): it is shown this once and only its hash is kept. A taken ID, a
// stored client's or a configured one's, is an error wrapping
// store.ErrConflict, and nothing changes.
func (s *Service) Create(ctx context.Context, m Metadata, o CreateOptions) (c *store.Client, secret string, err error) {
	src := o.By.source()
	if src == "" {
		return nil, "", fmt.Errorf("clients: create: unknown caller %d", o.By)
	}
	m = m.normalized()
	if err := s.validate(m, o.By == Admin); err != nil {
		return nil, "", err
	}
	if m.ID == "" {
		m.ID = secrets.NewID()
	}
	if s.ov.static.Has(m.ID) {
		return nil, "", fmt.Errorf("clients: client ID %q is taken by a client defined in the configuration file: %w", m.ID, store.ErrConflict)
	}
	now := s.now()
	c = &store.Client{CreatedAt: now, Source: src, RegistrationTokenHash: o.RegistrationTokenHash}
	apply(c, m, now)
	if m.HasSecret() {
		secret = NewSecret()
		c.SecretHash = secrets.Hash(secret)
	}
	if err := s.st.CreateClient(ctx, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, "", fmt.Errorf("clients: client ID %q is taken: %w", m.ID, err)
		}
		return nil, "", fmt.Errorf("clients: create %q: %w", m.ID, err)
	}
	return c, secret, nil
}

// Get returns the client as administrators see it: a configured one
// (source config) before a stored one, a stale stored copy of a configured
// client with SourceStaleConfig. Unknown: an error wrapping
// store.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (*store.Client, error) {
	c, err := s.ov.record(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("clients: get %q: %w", id, err)
	}
	return c, nil
}

// Served returns the client as relying parties get it (Overlay.GetClient):
// like Get, except that a stale stored copy of a configured client is
// unknown, an error wrapping store.ErrNotFound. Authorization decisions
// about a client (does it still hold a scope?) read this.
func (s *Service) Served(ctx context.Context, id string) (*store.Client, error) {
	c, err := s.ov.GetClient(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("clients: get %q: %w", id, err)
	}
	return c, nil
}

// MaxPage is the most clients List returns at once.
const MaxPage = 500

// List pages through configured and stored clients together in ID order,
// as Get shows them: cursor "" starts, next "" ends; limit is clamped to
// 1…MaxPage (0: 100).
func (s *Service) List(ctx context.Context, cursor string, limit int) (cs []*store.Client, next string, err error) {
	switch {
	case limit <= 0:
		limit = 100
	case limit > MaxPage:
		limit = MaxPage
	}
	cs, next, err = s.ov.list(ctx, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("clients: list: %w", err)
	}
	return cs, next, nil
}

// Update replaces the client's metadata with m (validated like Create's;
// m.ID must be empty or id). The secret is kept, except that a client made
// public loses it and a public client made confidential gets one: then
// secret is that new secret, shown once.
func (s *Service) Update(ctx context.Context, id string, m Metadata, by Caller) (c *store.Client, secret string, err error) {
	if by.source() == "" {
		return nil, "", fmt.Errorf("clients: update: unknown caller %d", by)
	}
	m = m.normalized()
	if m.ID != "" && m.ID != id {
		return nil, "", &FieldError{Field: "client_id", Code: InvalidClientMetadata, Description: fmt.Sprintf("must be the client's ID %s (IDs cannot change)", quote(id))}
	}
	m.ID = id
	// Read-only first: for a config client "edit the file" is the answer,
	// whatever else is wrong with m.
	if s.ov.static.Has(id) {
		return nil, "", &ReadOnlyError{ID: id}
	}
	if err := s.validate(m, by == Admin); err != nil {
		return nil, "", err
	}
	fresh := NewSecret() // used only if the client turns confidential
	now := s.now()
	c, err = s.st.UpdateClient(ctx, id, func(c *store.Client) error {
		if c.Source == store.SourceConfig {
			return &ReadOnlyError{ID: id, Stale: true}
		}
		secret = ""
		switch {
		case !m.HasSecret():
			c.SecretHash = ""
		case c.SecretHash == "":
			secret, c.SecretHash = fresh, secrets.Hash(fresh)
		}
		apply(c, m, now)
		return nil
	})
	if ro := (*ReadOnlyError)(nil); errors.As(err, &ro) {
		return nil, "", ro
	}
	if err != nil {
		return nil, "", fmt.Errorf("clients: update %q: %w", id, err)
	}
	s.changed(id)
	return c, secret, nil
}

// RotateSecret gives a confidential client a new secret, shown this once;
// the old one stops working at once on this instance and within the
// client cache TTL on the others.
func (s *Service) RotateSecret(ctx context.Context, id string) (secret string, err error) {
	if s.ov.static.Has(id) {
		return "", &ReadOnlyError{ID: id}
	}
	secret = NewSecret()
	now := s.now()
	_, err = s.st.UpdateClient(ctx, id, func(c *store.Client) error {
		switch {
		case c.Source == store.SourceConfig:
			return &ReadOnlyError{ID: id, Stale: true}
		case c.AuthMethod == AuthNone:
			return ErrPublicClient
		case slices.Contains(keyMethods, c.AuthMethod):
			return ErrKeyClient
		}
		c.SecretHash, c.UpdatedAt = secrets.Hash(secret), now
		return nil
	})
	if ro := (*ReadOnlyError)(nil); errors.As(err, &ro) {
		return "", ro
	}
	if err != nil {
		return "", fmt.Errorf("clients: rotate secret of %q: %w", id, err)
	}
	s.changed(id)
	return secret, nil
}

// Delete removes a stored client. Its tokens stop working once the
// provider no longer finds it: at once on this instance, within the client
// cache TTL on the others. A configured client is refused
// (*ReadOnlyError); a stale stored copy of one (SourceStaleConfig) may be
// deleted, which is how leftovers of earlier versions are cleaned up.
func (s *Service) Delete(ctx context.Context, id string) error {
	if s.ov.static.Has(id) {
		return &ReadOnlyError{ID: id}
	}
	if err := s.st.DeleteClient(ctx, id); err != nil {
		return fmt.Errorf("clients: delete %q: %w", id, err)
	}
	s.changed(id)
	return nil
}

// NewSecret returns 32 random bytes, base64url without padding (43
// characters): client secrets and registration access tokens.
func NewSecret() string { return secrets.Random(32) }

// apply writes validated metadata onto a stored client.
func apply(c *store.Client, m Metadata, now time.Time) {
	c.ID, c.Name, c.ApplicationType, c.AuthMethod = m.ID, m.Name, m.ApplicationType, m.AuthMethod
	c.RedirectURIs, c.PostLogoutRedirectURIs = m.RedirectURIs, m.PostLogoutRedirectURIs
	c.GrantTypes, c.Scopes, c.Connectors = m.GrantTypes, m.Scopes, m.Connectors
	c.AccessTokenLifetime, c.IDTokenLifetime, c.RefreshTokenLifetime = m.AccessTokenLifetime, m.IDTokenLifetime, m.RefreshTokenLifetime
	c.IDTokenSignedResponseAlg = m.IDTokenSignedResponseAlg
	c.BackchannelLogoutURI, c.BackchannelLogoutSessionRequired = m.BackchannelLogoutURI, m.BackchannelLogoutSessionRequired
	c.FrontchannelLogoutURI, c.FrontchannelLogoutSessionRequired = m.FrontchannelLogoutURI, m.FrontchannelLogoutSessionRequired
	c.DPoPBoundAccessTokens, c.RequirePushedAuthorizationRequests = m.DPoPBoundAccessTokens, m.RequirePushedAuthorizationRequests
	c.JWKS, c.JWKSURI, c.Profile = m.JWKS, m.JWKSURI, m.Profile
	c.TLSClientAuthSubjectDN, c.TLSClientAuthSANDNS = m.TLSClientAuthSubjectDN, m.TLSClientAuthSANDNS
	c.UpdatedAt = now
}

func (s *Service) changed(id string) {
	if s.opts.Changed != nil {
		s.opts.Changed(id)
	}
}

func (s *Service) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now().UTC()
	}
	return time.Now().UTC()
}
