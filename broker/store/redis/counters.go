package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Incr adds one to key and restarts its lifetime, in one MULTI.
func (s *Store) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	const op = "incr"
	if err := lifetime(op, ttl); err != nil {
		return 0, err
	}
	k := s.k.counter(key)
	var n *goredis.IntCmd
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		n = p.Incr(ctx, k)
		p.PExpire(ctx, k, px(ttl))
		return nil
	})
	if err != nil {
		return 0, wrap(op, err)
	}
	return n.Val(), nil
}

// Count returns the current count, 0 for an unknown or expired key.
func (s *Store) Count(ctx context.Context, key string) (int64, error) {
	const op = "count"
	raw, err := s.c.Get(ctx, s.k.counter(key)).Result()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap(op, err)
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redis: %s %q: %w", op, key, err)
	}
	return n, nil
}

// Reset forgets the key.
func (s *Store) Reset(ctx context.Context, key string) error {
	return wrap("reset", s.c.Del(ctx, s.k.counter(key)).Err())
}
