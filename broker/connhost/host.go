// Package connhost is the connector host: the one implementation of the
// capabilities package connectors declares (values, counters, QR sessions,
// token verification, client names, accounts, audit), over the broker's
// store, accounts service, audit trail, client cache and token verifier.
// It hands each connector its connectors.Deps. The store's not found,
// conflict and unavailable errors are the contract's own (package store
// aliases them), so they reach a connector as the contract says.
package connhost

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// Store is what the host keeps in the broker's store for connectors.
type Store interface {
	store.Values
	store.Counters
	store.QRSessions
}

// Options are the broker's parts the host adapts.
type Options struct {
	Store    Store
	Accounts *accounts.Service
	Audit    audit.Recorder // nil: every Audit call fails
	Metrics  connectors.Metrics
	Clients  *provider.ClientCache
	Tokens   *provider.TokenVerifier
	Secrets  connectors.Secrets
	Logger   *slog.Logger
	// ACRLevels are the broker's assurance levels, weakest first.
	ACRLevels []string
	// HTTPClient carries connectors' upstream calls; nil: their own.
	HTTPClient *http.Client
}

// Host implements every capability.
type Host struct{ o Options }

var (
	_ connectors.Values        = (*Host)(nil)
	_ connectors.Counters      = (*Host)(nil)
	_ connectors.QRSessions    = (*Host)(nil)
	_ connectors.TokenVerifier = (*Host)(nil)
	_ connectors.ClientNames   = (*Host)(nil)
	_ connectors.Accounts      = (*Host)(nil)
	_ connectors.Auditor       = (*Host)(nil)
)

// New builds the host.
func New(o Options) *Host {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Host{o: o}
}

// Deps are what the connector of spec gets: every capability, the
// secrets, and a logger scoped to the connector's type and ID.
func (h *Host) Deps(spec connectors.Spec) connectors.Deps {
	return connectors.Deps{
		Values: h, Counters: h, QR: h, Tokens: h, Clients: h, Accounts: h, Audit: h,
		Metrics:    h.o.Metrics,
		Secrets:    h.o.Secrets,
		Logger:     h.o.Logger.With("connector_type", spec.Type), // connectors name their own ID (key "connector")
		HTTPClient: h.o.HTTPClient,
		ACRLevels:  h.o.ACRLevels,
	}
}

// SetValue stores a short-lived value.
func (h *Host) SetValue(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return h.o.Store.SetValue(ctx, key, v, ttl)
}

// AddValue stores a value unless the key holds one.
func (h *Host) AddValue(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return h.o.Store.AddValue(ctx, key, v, ttl)
}

// GetValue reads a value.
func (h *Host) GetValue(ctx context.Context, key string) ([]byte, error) {
	return h.o.Store.GetValue(ctx, key)
}

// TakeValue reads and deletes a value in one step.
func (h *Host) TakeValue(ctx context.Context, key string) ([]byte, error) {
	return h.o.Store.TakeValue(ctx, key)
}

// DeleteValue forgets key.
func (h *Host) DeleteValue(ctx context.Context, key string) error {
	return h.o.Store.DeleteValue(ctx, key)
}

// Incr counts in an expiring window.
func (h *Host) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	return h.o.Store.Incr(ctx, key, ttl)
}

// Count reads a count.
func (h *Host) Count(ctx context.Context, key string) (int64, error) {
	return h.o.Store.Count(ctx, key)
}

// Reset forgets a count.
func (h *Host) Reset(ctx context.Context, key string) error {
	return h.o.Store.Reset(ctx, key)
}

// CreateQR stores a new QR session.
func (h *Host) CreateQR(ctx context.Context, s *connectors.QRSession, keep time.Duration) error {
	return h.o.Store.CreateQR(ctx, s, keep)
}

// GetQR reads a QR session.
func (h *Host) GetQR(ctx context.Context, id string) (*connectors.QRSession, error) {
	return h.o.Store.GetQR(ctx, id)
}

// PollQR counts a browser poll.
func (h *Host) PollQR(ctx context.Context, id, pollHash string) (*connectors.QRSession, error) {
	return h.o.Store.PollQR(ctx, id, pollHash)
}

// UpdateQR applies one compare-and-set step.
func (h *Host) UpdateQR(ctx context.Context, id string, u connectors.QRUpdate) (*connectors.QRSession, error) {
	return h.o.Store.UpdateQR(ctx, id, u)
}

// AddQRToAuthRequest counts a QR code on its authorization request.
func (h *Host) AddQRToAuthRequest(ctx context.Context, authRequestID string) (int64, error) {
	return h.o.Store.AddQRToAuthRequest(ctx, authRequestID)
}

// WatchQR wakes on the session's state changes on any instance.
func (h *Host) WatchQR(id string, wake func()) (stop func()) {
	return h.o.Store.WatchQR(id, wake)
}
