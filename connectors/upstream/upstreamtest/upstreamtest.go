// Package upstreamtest holds the test doubles the oidc, cas and oauth2
// connector tests share: a logger that keeps what it is told, and YAML
// config from a string (the host's capabilities come from
// connectors/connectorstest). The fake upstreams
// themselves stay with each connector (oidctest, castest, oauth2test).
package upstreamtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

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

// The …Context forms log as the plain ones: the fake keeps no trace IDs.
func (l *Logs) InfoContext(_ context.Context, msg string, args ...any)  { l.Info(msg, args...) }
func (l *Logs) WarnContext(_ context.Context, msg string, args ...any)  { l.Warn(msg, args...) }
func (l *Logs) ErrorContext(_ context.Context, msg string, args ...any) { l.Error(msg, args...) }

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
