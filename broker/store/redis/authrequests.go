package redisstore

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// An auth request is a hash: field r holds the request without its
// authentication, field a the authentication once the login completed it.
// Completing is then HSETNX on a, which keeps the key's lifetime and
// happens at most once.
const (
	fieldRequest = "r"
	fieldAuth    = "a"
)

// completeAuthRequest: 0 no such request, 1 already complete, 2 done.
var completeAuthRequest = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'a', ARGV[1]) == 0 then return 1 end
return 2
`)

// CreateAuthRequest stores r for ttl, replacing a request with the same ID.
func (s *Store) CreateAuthRequest(ctx context.Context, r *store.AuthRequest, ttl time.Duration) error {
	const op = "create auth request"
	if err := expiring(op, ttl, "ID", r.ID); err != nil {
		return err
	}
	req := *r
	req.Auth = nil
	rb, err := encode(op, &req)
	if err != nil {
		return err
	}
	fields := []any{fieldRequest, rb}
	if r.Auth != nil {
		ab, err := encode(op, r.Auth)
		if err != nil {
			return err
		}
		fields = append(fields, fieldAuth, ab)
	}
	k := s.k.authRequest(r.ID)
	_, err = s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Del(ctx, k)
		p.HSet(ctx, k, fields...)
		p.PExpire(ctx, k, px(ttl))
		return nil
	})
	return wrap(op, err)
}

// GetAuthRequest returns the request.
func (s *Store) GetAuthRequest(ctx context.Context, id string) (*store.AuthRequest, error) {
	const op = "get auth request"
	h, err := s.c.HGetAll(ctx, s.k.authRequest(id)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	raw, ok := h[fieldRequest]
	if !ok {
		return nil, fmt.Errorf("redis: %s %q: %w", op, id, store.ErrNotFound)
	}
	r, err := decode[store.AuthRequest](op, raw)
	if err != nil {
		return nil, err
	}
	if a, ok := h[fieldAuth]; ok {
		if r.Auth, err = decode[store.Authentication](op, a); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// CompleteAuthRequest records the login once.
func (s *Store) CompleteAuthRequest(ctx context.Context, id string, a store.Authentication) error {
	const op = "complete auth request"
	ab, err := encode(op, &a)
	if err != nil {
		return err
	}
	res, err := completeAuthRequest.Run(ctx, s.c, []string{s.k.authRequest(id)}, ab).Int()
	switch {
	case err != nil:
		return wrap(op, err)
	case res == 0:
		return fmt.Errorf("redis: %s %q: %w", op, id, store.ErrNotFound)
	case res == 1:
		return fmt.Errorf("redis: %s %q: already complete: %w", op, id, store.ErrConflict)
	}
	return nil
}

// DeleteAuthRequest removes the request; an unknown ID is no error.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	return wrap("delete auth request", s.c.Del(ctx, s.k.authRequest(id)).Err())
}
