package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// SetValue stores value under key for ttl.
func (s *Store) SetValue(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	const op = "set value"
	if err := checkValue(op, key, ttl); err != nil {
		return err
	}
	return wrap(op, s.c.Set(ctx, s.k.value(key), value, px(ttl)).Err())
}

// AddValue stores value unless key exists (SET NX).
func (s *Store) AddValue(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	const op = "add value"
	if err := checkValue(op, key, ttl); err != nil {
		return err
	}
	ok, err := s.c.SetNX(ctx, s.k.value(key), value, px(ttl)).Result()
	if err != nil {
		return wrap(op, err)
	}
	if !ok {
		return fmt.Errorf("redis: %s: %w", op, store.ErrConflict)
	}
	return nil
}

// GetValue returns the value under key.
func (s *Store) GetValue(ctx context.Context, key string) ([]byte, error) {
	b, err := s.c.Get(ctx, s.k.value(key)).Bytes()
	if err != nil {
		return nil, wrap("get value", err)
	}
	return b, nil
}

// TakeValue returns and deletes the value under key in one command
// (GETDEL), so exactly one concurrent caller gets it.
func (s *Store) TakeValue(ctx context.Context, key string) ([]byte, error) {
	b, err := s.c.GetDel(ctx, s.k.value(key)).Bytes()
	if err != nil {
		return nil, wrap("take value", err)
	}
	return b, nil
}

// DeleteValue forgets key.
func (s *Store) DeleteValue(ctx context.Context, key string) error {
	return wrap("delete value", s.c.Del(ctx, s.k.value(key)).Err())
}

func checkValue(op, key string, ttl time.Duration) error {
	if err := required(op, "key", key); err != nil {
		return err
	}
	return lifetime(op, ttl)
}
