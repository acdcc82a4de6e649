package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// qrState holds the QR sessions (guarded by Store.mu, like every other
// map) and their watchers (with a lock of their own, so a wake never runs
// under the store's lock). The zero value is ready: the maps are made on
// first use.
type qrState struct {
	sessions map[string]qrRecord
	arCounts map[string]int64 // QR codes per auth request, dropped with the request
	watchers store.QRWatchers
}

// qrRecord is a session and the instant it is gone (ExpiresAt + keep).
type qrRecord struct {
	s    store.QRSession
	gone time.Time
}

// CreateQR stores a new session until s.ExpiresAt + keep.
func (s *Store) CreateQR(ctx context.Context, q *store.QRSession, keep time.Duration) error {
	const op = "create QR session"
	if err := expiring(op, time.Until(q.ExpiresAt)+keep, "ID", q.ID, "state", q.State, "poll hash", q.PollHash); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if r, ok := s.qr.sessions[q.ID]; ok && now.Before(r.gone) {
		return fmt.Errorf("memory: %s: %w", op, store.ErrConflict)
	}
	if s.qr.sessions == nil {
		s.qr.sessions = map[string]qrRecord{}
	}
	c := q.Clone()
	c.ExpiresAt = c.ExpiresAt.Truncate(time.Millisecond) // as Redis keeps it
	s.qr.sessions[q.ID] = qrRecord{s: *c, gone: q.ExpiresAt.Add(keep)}
	return nil
}

// live returns the session with ID id if it is not gone; the caller holds mu.
func (s *Store) liveQR(id string, now time.Time) (qrRecord, bool) {
	r, ok := s.qr.sessions[id]
	if !ok || !now.Before(r.gone) {
		return qrRecord{}, false
	}
	return r, true
}

// GetQR returns a copy of the session.
func (s *Store) GetQR(ctx context.Context, id string) (*store.QRSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.liveQR(id, time.Now())
	if !ok {
		return nil, notFound("get QR session", id)
	}
	return r.s.Clone(), nil
}

// PollQR counts a poll of the poll secret's holder.
func (s *Store) PollQR(ctx context.Context, id, pollHash string) (*store.QRSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.liveQR(id, time.Now())
	if !ok {
		return nil, notFound("poll QR session", id)
	}
	if pollHash == "" || r.s.PollHash != pollHash {
		return nil, fmt.Errorf("memory: poll QR session: %w", store.ErrConflict)
	}
	r.s.Polls++
	s.qr.sessions[id] = r
	return r.s.Clone(), nil
}

// UpdateQR applies u if its conditions hold; a state change wakes the
// session's watchers once the lock is released.
func (s *Store) UpdateQR(ctx context.Context, id string, u store.QRUpdate) (*store.QRSession, error) {
	s.mu.Lock()
	r, ok := s.liveQR(id, time.Now())
	if !ok {
		s.mu.Unlock()
		return nil, notFound("update QR session", id)
	}
	if !u.AppliesTo(&r.s, time.Now()) {
		cur := r.s.Clone()
		s.mu.Unlock()
		return cur, fmt.Errorf("memory: update QR session: %w", store.ErrConflict)
	}
	changed := u.Apply(&r.s)
	s.qr.sessions[id] = r
	cur := r.s.Clone()
	s.mu.Unlock()
	if changed {
		s.qr.watchers.Wake(id)
	}
	return cur, nil
}

// WatchQR registers wake for id's state changes.
func (s *Store) WatchQR(id string, wake func()) (stop func()) {
	return s.qr.watchers.Watch(id, wake)
}

// AddQRToAuthRequest counts a QR code of a live auth request.
func (s *Store) AddQRToAuthRequest(ctx context.Context, authRequestID string) (int64, error) {
	const op = "count QR codes of an auth request"
	if err := required(op, "auth request ID", authRequestID); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.authRequests[authRequestID]; !ok || !live(r.expires, time.Now()) {
		return 0, notFound(op, authRequestID)
	}
	if s.qr.arCounts == nil {
		s.qr.arCounts = map[string]int64{}
	}
	s.qr.arCounts[authRequestID]++
	return s.qr.arCounts[authRequestID], nil
}

// sweepQR drops sessions that are gone and the counts of auth requests
// that are; the caller holds mu and has swept the auth requests.
func (s *Store) sweepQR(now time.Time) {
	sweepMap(s.qr.sessions, now, func(r qrRecord) time.Time { return r.gone })
	for id := range s.qr.arCounts {
		if _, ok := s.authRequests[id]; !ok {
			delete(s.qr.arCounts, id)
		}
	}
}
