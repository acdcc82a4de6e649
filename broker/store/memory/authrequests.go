package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// CreateAuthRequest stores r for ttl, replacing a request with the same ID.
func (s *Store) CreateAuthRequest(ctx context.Context, r *store.AuthRequest, ttl time.Duration) error {
	const op = "create auth request"
	if err := expiring(op, ttl, "ID", r.ID); err != nil {
		return err
	}
	b, err := encode(op, r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authRequests[r.ID] = record{data: b, expires: time.Now().Add(ttl)}
	return nil
}

// GetAuthRequest returns a copy of the request.
func (s *Store) GetAuthRequest(ctx context.Context, id string) (*store.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.authRequest(id, time.Now())
	if !ok {
		return nil, notFound("get auth request", id)
	}
	return decode[store.AuthRequest]("get auth request", b)
}

// CompleteAuthRequest records the login once, keeping the request's lifetime.
func (s *Store) CompleteAuthRequest(ctx context.Context, id string, a store.Authentication) error {
	const op = "complete auth request"
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.authRequest(id, time.Now())
	if !ok {
		return notFound(op, id)
	}
	r, err := decode[store.AuthRequest](op, b)
	if err != nil {
		return err
	}
	if r.Auth != nil {
		return fmt.Errorf("memory: %s %q: already complete: %w", op, id, store.ErrConflict)
	}
	r.Auth = &a
	if b, err = encode(op, r); err != nil {
		return err
	}
	s.authRequests[id] = record{data: b, expires: s.authRequests[id].expires}
	return nil
}

// DeleteAuthRequest removes the request; an unknown ID is no error.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	return nil
}

// authRequest returns the live encoded request. s.mu must be held.
func (s *Store) authRequest(id string, now time.Time) ([]byte, bool) {
	r, ok := s.authRequests[id]
	if !ok || !live(r.expires, now) {
		return nil, false
	}
	return r.data, true
}
