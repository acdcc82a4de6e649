package memory

import (
	"context"
	"time"
)

type counter struct {
	n       int64
	expires time.Time
}

// Incr adds one to key and restarts its lifetime.
func (s *Store) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	if err := lifetime("incr", ttl); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	c := s.counters[key]
	if !live(c.expires, now) {
		c.n = 0
	}
	c.n++
	c.expires = now.Add(ttl)
	s.counters[key] = c
	return c.n, nil
}

// Count returns the current count, 0 for an unknown or expired key.
func (s *Store) Count(ctx context.Context, key string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.counters[key]
	if !ok || !live(c.expires, time.Now()) {
		return 0, nil
	}
	return c.n, nil
}

// Reset forgets the key.
func (s *Store) Reset(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.counters, key)
	return nil
}
