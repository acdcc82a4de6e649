package keys

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/connectors/connectorstest"
)

// memStore is an in-memory Store with a real compare-and-swap, counters,
// and hooks to inject failures and conflicting writes.
type memStore struct {
	mu        sync.Mutex
	data      []byte
	version   int64
	gets      int
	swaps     int // successful
	conflicts int
	getErr    error
	// beforeSwap, if set, runs once (it is cleared first) at the start of
	// the next SwapKeySet, outside the lock: a place for another writer.
	beforeSwap func()
}

var _ Store = (*memStore)(nil)

func (s *memStore) GetKeySet(context.Context) ([]byte, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	if s.getErr != nil {
		return nil, 0, s.getErr
	}
	if s.version == 0 {
		return nil, 0, ErrNoKeySet
	}
	return bytes.Clone(s.data), s.version, nil
}

func (s *memStore) SwapKeySet(_ context.Context, oldVersion int64, data []byte) (int64, error) {
	s.mu.Lock()
	hook := s.beforeSwap
	s.beforeSwap = nil
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if oldVersion != s.version {
		s.conflicts++
		return 0, ErrVersionConflict
	}
	s.version++
	s.data = bytes.Clone(data)
	s.swaps++
	return s.version, nil
}

// put overwrites the stored blob as an outside writer would.
func (s *memStore) put(data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	s.data = bytes.Clone(data)
}

func (s *memStore) stats() (gets, swaps, conflicts int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets, s.swaps, s.conflicts
}

// stored parses the stored blob without opening any key.
func (s *memStore) stored(t testing.TB) storedSet {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var set storedSet
	if err := json.Unmarshal(s.data, &set); err != nil {
		t.Fatalf("stored key set: %v", err)
	}
	return set
}

// newFakeClock is the clock of the rotation tests, at a fixed start.
func newFakeClock() *connectorstest.Clock {
	return connectorstest.NewClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
}

// Test schedule: short enough to reason about, same shape as production.
const (
	testPeriod   = 10 * time.Hour
	testAhead    = 2 * time.Hour
	testRetire   = time.Hour + 5*time.Minute
	testInterval = time.Minute
)

var testKEK = [32]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}

func testOptions(clk *connectorstest.Clock) Options {
	return Options{
		Algorithm:      jose.ES256,
		RotationPeriod: testPeriod,
		PublishAhead:   testAhead,
		RetireAfter:    testRetire,
		CheckInterval:  testInterval,
		KEK:            testKEK,
		Now:            clk.Now,
		Logger:         slog.New(slog.DiscardHandler),
	}
}

// newTestManager starts a Manager on st with testOptions, adjusted by mod.
func newTestManager(t testing.TB, st *memStore, clk *connectorstest.Clock, mod func(*Options)) *Manager {
	t.Helper()
	opts := testOptions(clk)
	if mod != nil {
		mod(&opts)
	}
	m, err := New(context.Background(), st, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

func publishedIDs(m *Manager) []string {
	var ids []string
	for _, k := range m.Published() {
		ids = append(ids, k.ID())
	}
	return ids
}

func storedIDs(set storedSet) []string {
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.KID)
	}
	return ids
}

func assertIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// lockedBuffer is a log sink safe to read while Run writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

var errStoreDown = errors.New("store down")
