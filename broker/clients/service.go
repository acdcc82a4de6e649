package clients

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
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
	// ErrReadOnly: the client comes from the configuration file, which
	// rewrites it at every start, so the APIs may not change it (as with
	// Dex's and Keycloak's static clients). Edit the file instead.
	ErrReadOnly = errors.New("clients: the client is defined in the configuration file; change it there")
	// ErrPublicClient: a public client has no secret to rotate.
	ErrPublicClient = errors.New("clients: a public client (token_endpoint_auth_method none) has no secret")
)

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
// stored only as the SHA-256 the provider checks (secrets.Hash).
type Service struct {
	st   store.Clients
	opts Options
}

// New returns a service over st.
func New(st store.Clients, o Options) *Service {
	if o.MaxAccessTokenLifetime <= 0 {
		o.MaxAccessTokenLifetime = defaultMaxLife
	}
	if o.MaxIDTokenLifetime <= 0 {
		o.MaxIDTokenLifetime = defaultMaxLife
	}
	if o.MaxRefreshTokenLifetime <= 0 {
		o.MaxRefreshTokenLifetime = defaultMaxRT
	}
	return &Service{st: st, opts: o}
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
// one): it is shown this once and only its hash is kept. A taken ID is an
// error wrapping store.ErrConflict, and nothing changes.
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
	now := s.now()
	c = &store.Client{CreatedAt: now, Source: src, RegistrationTokenHash: o.RegistrationTokenHash}
	apply(c, m, now)
	if !m.Public() {
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

// Get returns the client; unknown: an error wrapping store.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (*store.Client, error) {
	c, err := s.st.GetClient(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("clients: get %q: %w", id, err)
	}
	return c, nil
}

// MaxPage is the most clients List returns at once.
const MaxPage = 500

// List pages through clients in ID order: cursor "" starts, next "" ends;
// limit is clamped to 1…MaxPage (0: 100).
func (s *Service) List(ctx context.Context, cursor string, limit int) (cs []*store.Client, next string, err error) {
	switch {
	case limit <= 0:
		limit = 100
	case limit > MaxPage:
		limit = MaxPage
	}
	cs, next, err = s.st.ListClients(ctx, cursor, limit)
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
	// whatever else is wrong with m (UpdateClient checks again, atomically).
	if cur, err := s.st.GetClient(ctx, id); err == nil && cur.Source == store.SourceConfig {
		return nil, "", fmt.Errorf("clients: update %q: %w", id, ErrReadOnly)
	}
	if err := s.validate(m, by == Admin); err != nil {
		return nil, "", err
	}
	fresh := NewSecret() // used only if the client turns confidential
	now := s.now()
	c, err = s.st.UpdateClient(ctx, id, func(c *store.Client) error {
		if c.Source == store.SourceConfig {
			return ErrReadOnly
		}
		secret = ""
		switch {
		case m.Public():
			c.SecretHash = ""
		case c.SecretHash == "":
			secret, c.SecretHash = fresh, secrets.Hash(fresh)
		}
		apply(c, m, now)
		return nil
	})
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
	secret = NewSecret()
	now := s.now()
	_, err = s.st.UpdateClient(ctx, id, func(c *store.Client) error {
		switch {
		case c.Source == store.SourceConfig:
			return ErrReadOnly
		case c.AuthMethod == AuthNone:
			return ErrPublicClient
		}
		c.SecretHash, c.UpdatedAt = secrets.Hash(secret), now
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("clients: rotate secret of %q: %w", id, err)
	}
	s.changed(id)
	return secret, nil
}

// Delete removes the client. Its tokens stop working once the provider no
// longer finds it: at once on this instance, within the client cache TTL
// on the others.
func (s *Service) Delete(ctx context.Context, id string) error {
	c, err := s.st.GetClient(ctx, id)
	if err != nil {
		return fmt.Errorf("clients: delete %q: %w", id, err)
	}
	if c.Source == store.SourceConfig {
		return fmt.Errorf("clients: delete %q: %w", id, ErrReadOnly)
	}
	if err := s.st.DeleteClient(ctx, id); err != nil {
		return fmt.Errorf("clients: delete %q: %w", id, err)
	}
	s.changed(id)
	return nil
}

// NewSecret returns 32 random bytes, base64url without padding (43
// characters): client secrets and registration access tokens.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// apply writes validated metadata onto a stored client.
func apply(c *store.Client, m Metadata, now time.Time) {
	c.ID, c.Name, c.ApplicationType, c.AuthMethod = m.ID, m.Name, m.ApplicationType, m.AuthMethod
	c.RedirectURIs, c.PostLogoutRedirectURIs = m.RedirectURIs, m.PostLogoutRedirectURIs
	c.GrantTypes, c.Scopes, c.Connectors = m.GrantTypes, m.Scopes, m.Connectors
	c.AccessTokenLifetime, c.IDTokenLifetime, c.RefreshTokenLifetime = m.AccessTokenLifetime, m.IDTokenLifetime, m.RefreshTokenLifetime
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
