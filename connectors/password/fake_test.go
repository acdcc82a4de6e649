package password

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// fakeDirectory holds accounts by normalised login; a password hash is
// "plain:" + password.
type fakeDirectory struct {
	mu       sync.Mutex
	accounts map[string]Account
	err      error // returned by FindByLogin when set
	verifies int   // VerifyPassword calls
	dummies  int   // DummyVerify calls
	lookups  int
}

func (d *fakeDirectory) FindByLogin(_ context.Context, login string) (Account, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lookups++
	if d.err != nil {
		return Account{}, d.err
	}
	a, ok := d.accounts[login]
	if !ok {
		return Account{}, fmt.Errorf("fake: %w", ErrUnknownAccount)
	}
	return a, nil
}

func (d *fakeDirectory) VerifyPassword(hash, password string) (bool, error) {
	d.mu.Lock()
	d.verifies++
	d.mu.Unlock()
	h, ok := strings.CutPrefix(hash, "plain:")
	if !ok {
		return false, errors.New("fake: malformed hash")
	}
	return h == password, nil
}

func (d *fakeDirectory) DummyVerify(string) {
	d.mu.Lock()
	d.dummies++
	d.mu.Unlock()
}

func (d *fakeDirectory) counts() (lookups, verifies, dummies int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lookups, d.verifies, d.dummies
}

// fakeCounters is store.Counters over a clock the test moves.
type fakeCounters struct {
	mu   sync.Mutex
	now  time.Time
	m    map[string]counter
	fail error // returned by every call when set
}

type counter struct {
	n       int64
	expires time.Time
}

func newFakeCounters() *fakeCounters {
	return &fakeCounters{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), m: map[string]counter{}}
}

func (c *fakeCounters) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeCounters) live(key string) counter {
	v := c.m[key]
	if !c.now.Before(v.expires) {
		return counter{}
	}
	return v
}

func (c *fakeCounters) Incr(_ context.Context, key string, ttl time.Duration) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return 0, c.fail
	}
	v := c.live(key)
	v.n++
	v.expires = c.now.Add(ttl)
	c.m[key] = v
	return v.n, nil
}

func (c *fakeCounters) Count(_ context.Context, key string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return 0, c.fail
	}
	return c.live(key).n, nil
}

func (c *fakeCounters) Reset(_ context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	delete(c.m, key)
	return nil
}

func (c *fakeCounters) keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ks []string
	for k := range c.m {
		ks = append(ks, k)
	}
	return ks
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
