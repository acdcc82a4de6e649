package store

import (
	"context"
	"time"
)

// Values keeps small short-lived values by key: one-time codes, challenges,
// login tickets. Callers name keys by a hash when the key would otherwise
// hold personal data or a secret. Every value expires.
type Values interface {
	// SetValue stores value under key for ttl, replacing what was there.
	SetValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// AddValue stores value only when key holds nothing; ErrConflict
	// otherwise (the existing value and its lifetime are unchanged).
	AddValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// GetValue returns the value; ErrNotFound when absent or expired.
	GetValue(ctx context.Context, key string) ([]byte, error)
	// TakeValue returns the value and deletes it in one step, so of several
	// concurrent callers exactly one gets it; the others get ErrNotFound.
	TakeValue(ctx context.Context, key string) ([]byte, error)
	// DeleteValue forgets key; an unknown key is no error.
	DeleteValue(ctx context.Context, key string) error
}
