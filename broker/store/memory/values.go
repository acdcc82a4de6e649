package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// SetValue stores value under key for ttl.
func (s *Store) SetValue(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkValue("set value", key, ttl); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[key] = record{data: slices.Clone(value), expires: time.Now().Add(ttl)}
	return nil
}

// AddValue stores value unless key holds a live value.
func (s *Store) AddValue(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkValue("add value", key, ttl); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if r, ok := s.values[key]; ok && live(r.expires, now) {
		return fmt.Errorf("memory: add value: %w", store.ErrConflict)
	}
	s.values[key] = record{data: slices.Clone(value), expires: now.Add(ttl)}
	return nil
}

// GetValue returns a copy of the live value under key.
func (s *Store) GetValue(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.values[key]
	if !ok || !live(r.expires, time.Now()) {
		return nil, fmt.Errorf("memory: get value: %w", store.ErrNotFound)
	}
	return slices.Clone(r.data), nil
}

// TakeValue returns the live value under key and deletes it.
func (s *Store) TakeValue(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.values[key]
	delete(s.values, key)
	if !ok || !live(r.expires, time.Now()) {
		return nil, fmt.Errorf("memory: take value: %w", store.ErrNotFound)
	}
	return r.data, nil
}

// DeleteValue forgets key.
func (s *Store) DeleteValue(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.values, key)
	return nil
}

func checkValue(op, key string, ttl time.Duration) error {
	if err := store.Required("memory: "+op, "key", key); err != nil {
		return err
	}
	return store.Lifetime("memory: "+op, ttl)
}
