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

// SessionsOf scans the sessions for subject's (the memory store serves one
// development instance: a scan is fine).
func (s *Store) SessionsOf(ctx context.Context, subject string) ([]*store.Session, error) {
	const op = "sessions of"
	if err := required(op, "subject", subject); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var out []*store.Session
	for _, r := range s.sessions {
		if !live(r.expires, now) {
			continue
		}
		sess, err := decode[store.Session](op, r.data)
		if err != nil {
			return nil, err
		}
		if sess.Auth.Subject == subject {
			out = append(out, sess)
		}
	}
	store.NewestFirst(out)
	return out, nil
}
