package memory

import (
	"bytes"
	"context"
	"fmt"

	"github.com/gjjid/gjjid/broker/store"
)

// GetKeySet returns a copy of the stored key set and its version.
func (s *Store) GetKeySet(ctx context.Context) ([]byte, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keySetVer == 0 {
		return nil, 0, fmt.Errorf("memory: get key set: %w", store.ErrNotFound)
	}
	return bytes.Clone(s.keySet), s.keySetVer, nil
}

// SwapKeySet stores data if the version is still oldVersion.
func (s *Store) SwapKeySet(ctx context.Context, oldVersion int64, data []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keySetVer != oldVersion {
		return 0, fmt.Errorf("memory: swap key set: version %d, not %d: %w", s.keySetVer, oldVersion, store.ErrConflict)
	}
	s.keySet = bytes.Clone(data)
	s.keySetVer++
	return s.keySetVer, nil
}
