package keys

import (
	"context"
	"errors"
)

// Store is where the key set lives: one opaque, versioned blob. The broker
// adapts its own store to it.
type Store interface {
	// GetKeySet returns the stored blob and its version, or ErrNoKeySet
	// when nothing was stored yet.
	GetKeySet(ctx context.Context) (data []byte, version int64, err error)
	// SwapKeySet stores data if the stored version still is oldVersion (0:
	// nothing stored yet) and returns the new version; ErrVersionConflict
	// when another writer got there first.
	SwapKeySet(ctx context.Context, oldVersion int64, data []byte) (newVersion int64, err error)
}

// Errors a Store returns (wrapped or not); compare with errors.Is.
var (
	// ErrNoKeySet: the store holds no key set yet.
	ErrNoKeySet = errors.New("keys: no key set stored")
	// ErrVersionConflict: the stored version is not the one the caller
	// read; another instance wrote in between.
	ErrVersionConflict = errors.New("keys: key set version conflict")
)

// ErrKEKMismatch is returned when the stored key set was sealed under a
// different key-encryption key than Options.KEK.
var ErrKEKMismatch = errors.New("keys: the key-encryption key does not match the stored key set " +
	"(it was sealed under another key-encryption key: configure that one, or delete the stored key set " +
	"to start a new one, which invalidates every token signed so far)")
