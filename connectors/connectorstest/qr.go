package connectorstest

import (
	"context"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// liveQR is the session id unless it is gone; h.mu is held.
func (h *Host) liveQR(id string) (qrEntry, bool) {
	e, ok := h.qr[id]
	if !ok || !h.clock.Now().Before(e.gone) {
		return qrEntry{}, false
	}
	return e, true
}

// CreateQR implements connectors.QRSessions.
func (h *Host) CreateQR(_ context.Context, s *connectors.QRSession, keep time.Duration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("CreateQR", s.ID); err != nil {
		return err
	}
	if _, ok := h.liveQR(s.ID); ok {
		return fmt.Errorf("connectorstest: CreateQR: %w", connectors.ErrConflict)
	}
	h.qr[s.ID] = qrEntry{s: *s.Clone(), gone: s.ExpiresAt.Add(keep)}
	return nil
}

// GetQR implements connectors.QRSessions.
func (h *Host) GetQR(_ context.Context, id string) (*connectors.QRSession, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("GetQR", id); err != nil {
		return nil, err
	}
	e, ok := h.liveQR(id)
	if !ok {
		return nil, notFound("QR session", id)
	}
	return e.s.Clone(), nil
}

// PollQR implements connectors.QRSessions.
func (h *Host) PollQR(_ context.Context, id, pollHash string) (*connectors.QRSession, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("PollQR", id); err != nil {
		return nil, err
	}
	e, ok := h.liveQR(id)
	if !ok {
		return nil, notFound("QR session", id)
	}
	if pollHash == "" || e.s.PollHash != pollHash {
		return nil, fmt.Errorf("connectorstest: PollQR: %w", connectors.ErrConflict)
	}
	e.s.Polls++
	h.qr[id] = e
	return e.s.Clone(), nil
}

// UpdateQR implements connectors.QRSessions; a state change wakes the
// watchers after the lock is released.
func (h *Host) UpdateQR(_ context.Context, id string, u connectors.QRUpdate) (*connectors.QRSession, error) {
	h.mu.Lock()
	if err := h.begin("UpdateQR", id); err != nil {
		h.mu.Unlock()
		return nil, err
	}
	e, ok := h.liveQR(id)
	if !ok {
		h.mu.Unlock()
		return nil, notFound("QR session", id)
	}
	if !u.AppliesTo(&e.s, h.clock.Now()) {
		cur := e.s.Clone()
		h.mu.Unlock()
		return cur, fmt.Errorf("connectorstest: UpdateQR: %w", connectors.ErrConflict)
	}
	changed := u.Apply(&e.s)
	h.qr[id] = e
	cur := e.s.Clone()
	h.mu.Unlock()
	if changed {
		h.watchers.Wake(id)
	}
	return cur, nil
}

// AddQRToAuthRequest implements connectors.QRSessions. Every
// authorization request exists for the double unless MissingAuthRequest
// named it.
func (h *Host) AddQRToAuthRequest(_ context.Context, id string) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("AddQRToAuthRequest", id); err != nil {
		return 0, err
	}
	if h.authQR[id] < 0 {
		return 0, notFound("auth request", id)
	}
	h.authQR[id]++
	return h.authQR[id], nil
}

// MissingAuthRequest makes id an authorization request that is gone.
func (h *Host) MissingAuthRequest(id string) {
	h.mu.Lock()
	h.authQR[id] = -1
	h.mu.Unlock()
}

// WatchQR implements connectors.QRSessions.
func (h *Host) WatchQR(id string, wake func()) (stop func()) {
	return h.watchers.Watch(id, wake)
}
