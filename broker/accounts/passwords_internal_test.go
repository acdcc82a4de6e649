package accounts

import (
	"bytes"
	"testing"
)

func newInternal(t *testing.T) *Service {
	t.Helper()
	var st Store // the password code never touches the store
	return New(st, Secrets{IDHashKey: bytes.Repeat([]byte{1}, 32), Pepper: bytes.Repeat([]byte{2}, 32)})
}

// TestDummyVerifyCostsWhatVerifyCosts: the dummy hash carries the current
// parameters, so an unknown account takes exactly one real verification.
func TestDummyVerifyCostsWhatVerifyCosts(t *testing.T) {
	t.Parallel()
	s := newInternal(t)
	p, _, _, err := parsePHC(s.dummyPHC)
	if err != nil {
		t.Fatalf("dummy hash %q: %v", s.dummyPHC, err)
	}
	if p != s.params {
		t.Errorf("dummy parameters %+v, want %+v", p, s.params)
	}
	if ok, _ := s.VerifyPassword(s.dummyPHC, ""); ok {
		t.Error("the dummy hash matched a password")
	}
}

// TestStoredParametersWin: raising the defaults must not lock out
// passwords hashed with older parameters.
func TestStoredParametersWin(t *testing.T) {
	t.Parallel()
	s := newInternal(t)
	s.params = argon2Params{memory: 8 * 1024, time: 2, threads: 2, saltLen: 8, keyLen: 16}
	old, _ := s.HashPassword("802417")
	s.params = defaultArgon2
	if ok, err := s.VerifyPassword(old, "802417"); !ok || err != nil {
		t.Errorf("VerifyPassword(old hash %s) = %v, %v; want true", old, ok, err)
	}
}

func TestNewPanicsOnShortSecrets(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New accepted a 16-byte id_hash_key")
		}
	}()
	New(nil, Secrets{IDHashKey: make([]byte, 16), Pepper: make([]byte, 32)})
}
