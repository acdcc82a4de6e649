package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// code is an authorization code, or its tombstone once consumed.
type code struct {
	authRequestID string
	consumed      bool
	expires       time.Time
}

// SaveCode stores a new code; ErrConflict if the hash is already stored
// (live or as a tombstone), so a replayed code can never be revived.
func (s *Store) SaveCode(ctx context.Context, codeHash, authRequestID string, ttl time.Duration) error {
	const op = "save code"
	if err := expiring(op, ttl, "code hash", codeHash, "auth request ID", authRequestID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if c, ok := s.codes[codeHash]; ok && live(c.expires, now) {
		return fmt.Errorf("memory: %s: %w", op, store.ErrConflict)
	}
	s.codes[codeHash] = code{authRequestID: authRequestID, expires: now.Add(ttl)}
	return nil
}

// ConsumeCode returns the auth request ID once and leaves a tombstone.
func (s *Store) ConsumeCode(ctx context.Context, codeHash string, tombstoneTTL time.Duration) (string, error) {
	const op = "consume code"
	if err := lifetime(op, tombstoneTTL); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	c, ok := s.codes[codeHash]
	if !ok || !live(c.expires, now) {
		return "", fmt.Errorf("memory: %s: %w", op, store.ErrNotFound)
	}
	if c.consumed {
		return c.authRequestID, fmt.Errorf("memory: %s: %w", op, store.ErrCodeReplayed)
	}
	s.codes[codeHash] = code{authRequestID: c.authRequestID, consumed: true, expires: now.Add(tombstoneTTL)}
	return c.authRequestID, nil
}
