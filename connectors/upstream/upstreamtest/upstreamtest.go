// Package upstreamtest holds the test doubles the oidc, cas and oauth2
// connector tests share: the broker's short-lived values, a logger that
// keeps what it is told, and YAML config from a string. The fake upstreams
// themselves stay with each connector (oidctest, castest, oauth2test).
package upstreamtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrNotFound is what Values.TakeValue answers for a missing key.
var ErrNotFound = errors.New("not found")

// IsNotFound recognises ErrNotFound (the connectors' Options.IsNotFound).
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Values is an in-memory upstream.Values; lifetimes are ignored.
type Values struct {
	mu sync.Mutex
	m  map[string][]byte
}

// SetValue stores b under k.
func (v *Values) SetValue(_ context.Context, k string, b []byte, _ time.Duration) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string][]byte{}
	}
	v.m[k] = b
	return nil
}

// TakeValue returns and forgets the value of k; ErrNotFound when none.
func (v *Values) TakeValue(_ context.Context, k string) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	b, ok := v.m[k]
	if !ok {
		return nil, ErrNotFound
	}
	delete(v.m, k)
	return b, nil
}

// Len is how many values are kept: a finished login leaves none.
func (v *Values) Len() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.m)
}

// Logs is a connectors.Logger that keeps every line, message and
// arguments separated by spaces, for tests to search.
type Logs struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *Logs) add(msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(&l.b, append([]any{msg}, args...)...)
}

func (l *Logs) Info(msg string, args ...any)  { l.add(msg, args...) }
func (l *Logs) Warn(msg string, args ...any)  { l.add(msg, args...) }
func (l *Logs) Error(msg string, args ...any) { l.add(msg, args...) }

// String is everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// YAML parses src as a connector's config node.
func YAML(t testing.TB, src string) yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return n
}
