package sms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

var (
	errNotFound = errors.New("fake: not found")
	errConflict = errors.New("fake: conflict")
)

func isNotFound(err error) bool { return errors.Is(err, errNotFound) }

// fakeStore is store.Values and store.Counters over a clock the test
// moves. It records the name of every call, so tests can compare the shape
// of two requests.
type fakeStore struct {
	mu   sync.Mutex
	now  time.Time
	vals map[string]value
	ctrs map[string]value
	ops  []string
	fail error // returned by every call when set
}

type value struct {
	v       []byte
	n       int64
	expires time.Time
}

func newFakeStore() *fakeStore {
	return &fakeStore{now: time.Date(2026, 3, 1, 9, 30, 0, 0, chinaTime), vals: map[string]value{}, ctrs: map[string]value{}}
}

func (s *fakeStore) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *fakeStore) advance(d time.Duration) {
	s.mu.Lock()
	s.now = s.now.Add(d)
	s.mu.Unlock()
}

// begin locks and records op; the caller unlocks.
func (s *fakeStore) begin(op, key string) error {
	s.mu.Lock()
	s.ops = append(s.ops, op+" "+strings.SplitN(key, ":", 2)[0])
	return s.fail
}

func live(m map[string]value, key string, now time.Time) (value, bool) {
	v, ok := m[key]
	if !ok || !now.Before(v.expires) {
		return value{}, false
	}
	return v, true
}

func (s *fakeStore) SetValue(_ context.Context, key string, v []byte, ttl time.Duration) error {
	defer s.mu.Unlock()
	if err := s.begin("SetValue", key); err != nil {
		return err
	}
	s.vals[key] = value{v: append([]byte(nil), v...), expires: s.now.Add(ttl)}
	return nil
}

func (s *fakeStore) AddValue(_ context.Context, key string, v []byte, ttl time.Duration) error {
	defer s.mu.Unlock()
	if err := s.begin("AddValue", key); err != nil {
		return err
	}
	if _, ok := live(s.vals, key, s.now); ok {
		return fmt.Errorf("add %s: %w", key, errConflict)
	}
	s.vals[key] = value{v: append([]byte(nil), v...), expires: s.now.Add(ttl)}
	return nil
}

func (s *fakeStore) GetValue(_ context.Context, key string) ([]byte, error) {
	defer s.mu.Unlock()
	if err := s.begin("GetValue", key); err != nil {
		return nil, err
	}
	v, ok := live(s.vals, key, s.now)
	if !ok {
		return nil, fmt.Errorf("get %s: %w", key, errNotFound)
	}
	return v.v, nil
}

func (s *fakeStore) TakeValue(_ context.Context, key string) ([]byte, error) {
	defer s.mu.Unlock()
	if err := s.begin("TakeValue", key); err != nil {
		return nil, err
	}
	v, ok := live(s.vals, key, s.now)
	if !ok {
		return nil, fmt.Errorf("take %s: %w", key, errNotFound)
	}
	delete(s.vals, key)
	return v.v, nil
}

func (s *fakeStore) Incr(_ context.Context, key string, ttl time.Duration) (int64, error) {
	defer s.mu.Unlock()
	if err := s.begin("Incr", key); err != nil {
		return 0, err
	}
	v, _ := live(s.ctrs, key, s.now)
	v.n++
	v.expires = s.now.Add(ttl)
	s.ctrs[key] = v
	return v.n, nil
}

func (s *fakeStore) Count(_ context.Context, key string) (int64, error) {
	defer s.mu.Unlock()
	if err := s.begin("Count", key); err != nil {
		return 0, err
	}
	v, _ := live(s.ctrs, key, s.now)
	return v.n, nil
}

func (s *fakeStore) setFail(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

// takeOps returns and forgets the recorded calls.
func (s *fakeStore) takeOps() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ops := s.ops
	s.ops = nil
	return ops
}

// dump is every key and value, for leak checks.
func (s *fakeStore) dump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for k, v := range s.vals {
		fmt.Fprintf(&b, "%s=%s\n", k, v.v)
	}
	for k := range s.ctrs {
		fmt.Fprintf(&b, "%s\n", k)
	}
	return b.String()
}

// fakeDirectory holds accounts by normalised mobile.
type fakeDirectory struct {
	mu       sync.Mutex
	accounts map[string]connectors.Account
	err      error
}

func (d *fakeDirectory) FindByLogin(_ context.Context, login string) (connectors.Account, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return connectors.Account{}, d.err
	}
	a, ok := d.accounts[login]
	if !ok {
		return connectors.Account{}, fmt.Errorf("fake: %w", ErrUnknownAccount)
	}
	return a, nil
}

// fakeSender records the texts it was asked to send.
type fakeSender struct {
	mu   sync.Mutex
	sent []text
	err  error
}

type text struct{ mobile, code string }

func (s *fakeSender) Send(_ context.Context, mobile, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.sent = append(s.sent, text{mobile, code})
	return nil
}

func (s *fakeSender) texts() []text {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]text(nil), s.sent...)
}

// recLogger records every log call as one line of text.
type recLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recLogger) add(level, msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprint(level, " ", msg, " ", args))
}

func (l *recLogger) Info(msg string, args ...any)  { l.add("INFO", msg, args...) }
func (l *recLogger) Warn(msg string, args ...any)  { l.add("WARN", msg, args...) }
func (l *recLogger) Error(msg string, args ...any) { l.add("ERROR", msg, args...) }

func (l *recLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
