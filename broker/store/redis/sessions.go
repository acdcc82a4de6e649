package redisstore

import (
	"context"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// CreateSession stores the session until s.ExpiresAt, replacing one with the
// same ID.
func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	const op = "create session"
	if err := required(op, "ID", sess.ID); err != nil {
		return err
	}
	ttl := time.Until(sess.ExpiresAt)
	if err := lifetime(op, ttl); err != nil {
		return err
	}
	b, err := encode(op, sess)
	if err != nil {
		return err
	}
	return wrap(op, s.c.Set(ctx, s.k.session(sess.ID), b, px(ttl)).Err())
}

// GetSession returns the session.
func (s *Store) GetSession(ctx context.Context, id string) (*store.Session, error) {
	const op = "get session"
	raw, err := s.c.Get(ctx, s.k.session(id)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	return decode[store.Session](op, raw)
}

// DeleteSession removes the session; an unknown ID is no error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return wrap("delete session", s.c.Del(ctx, s.k.session(id)).Err())
}
