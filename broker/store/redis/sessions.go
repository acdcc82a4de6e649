package redisstore

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

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
	if err := s.c.Set(ctx, s.k.session(sess.ID), b, px(ttl)).Err(); err != nil {
		return wrap(op, err)
	}
	if sess.Auth.Subject == "" {
		return nil
	}
	// The subject's index lives as long as its longest session; it is
	// another key (another slot in a cluster), so a second round trip.
	return wrap(op, indexSession.Run(ctx, s.c, []string{s.k.sessionsOf(sess.Auth.Subject)}, sess.ID, ttl.Milliseconds()).Err())
}

// indexSession: KEYS[1] a subject's session index; ARGV session ID, its
// lifetime in ms. Adds the ID and extends the index's lifetime to it.
var indexSession = goredis.NewScript(`
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`)

// SessionsOf reads the subject's index and each session in it, dropping
// from the index the sessions that ended (deleted or expired).
func (s *Store) SessionsOf(ctx context.Context, subject string) ([]*store.Session, error) {
	const op = "sessions of"
	if err := required(op, "subject", subject); err != nil {
		return nil, err
	}
	ids, err := s.c.SMembers(ctx, s.k.sessionsOf(subject)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	gets := make([]*goredis.StringCmd, len(ids))
	if _, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, id := range ids {
			gets[i] = p.Get(ctx, s.k.session(id))
		}
		return nil
	}); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, wrap(op, err)
	}
	var out []*store.Session
	var ended []any
	for i, g := range gets {
		raw, err := g.Result()
		if errors.Is(err, goredis.Nil) {
			ended = append(ended, ids[i])
			continue
		}
		if err != nil {
			return nil, wrap(op, err)
		}
		sess, err := decode[store.Session](op, raw)
		if err != nil {
			return nil, err
		}
		if sess.Auth.Subject != subject {
			ended = append(ended, ids[i])
			continue
		}
		out = append(out, sess)
	}
	if len(ended) > 0 {
		// Best effort: a later call prunes what this one could not.
		_ = s.c.SRem(ctx, s.k.sessionsOf(subject), ended...).Err()
	}
	store.NewestFirst(out)
	return out, nil
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

// DeleteSession removes the session and its entry in its subject's index;
// an unknown ID is no error. Without the second step every sign-out would
// leave its ID in the index until SessionsOf pruned it or the subject went
// a whole session lifetime without signing in. The index lives in another
// slot, so it is a second command, not the same script; a failure there
// leaves what SessionsOf prunes anyway.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	const op = "delete session"
	raw, err := s.c.GetDel(ctx, s.k.session(id)).Result()
	switch {
	case errors.Is(err, goredis.Nil):
		return nil
	case err != nil:
		return wrap(op, err)
	}
	sess, err := decode[store.Session](op, raw)
	if err != nil || sess.Auth.Subject == "" {
		return nil // deleted; an index entry, if any, is pruned later
	}
	return wrap(op, s.c.SRem(ctx, s.k.sessionsOf(sess.Auth.Subject), id).Err())
}
