package memory

import (
	"context"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// CreateSession stores the session until s.ExpiresAt, replacing one with the
// same ID.
func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	const op = "create session"
	if err := expiring(op, time.Until(sess.ExpiresAt), "ID", sess.ID); err != nil {
		return err
	}
	b, err := encode(op, sess)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[sess.ID] = record{data: b, expires: sess.ExpiresAt}
	return nil
}

// GetSession returns a copy of the session.
func (s *Store) GetSession(ctx context.Context, id string) (*store.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.sessions[id]
	if !ok || !live(r.expires, time.Now()) {
		return nil, notFound("get session", id)
	}
	return decode[store.Session]("get session", r.data)
}

// DeleteSession removes the session; an unknown ID is no error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, id)
	return nil
}
