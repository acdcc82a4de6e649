package connectorstest

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Logs is a connectors.Logger that keeps every call as one line of text,
// "LEVEL msg [args]", for tests that look at what a connector logged.
type Logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *Logs) add(level, msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprint(level, " ", msg, " ", args))
}

// Info logs at INFO.
func (l *Logs) Info(msg string, args ...any) { l.add("INFO", msg, args...) }

// Warn logs at WARN.
func (l *Logs) Warn(msg string, args ...any) { l.add("WARN", msg, args...) }

// Error logs at ERROR.
func (l *Logs) Error(msg string, args ...any) { l.add("ERROR", msg, args...) }

// The …Context forms log as the plain ones: the fake keeps no trace IDs.
func (l *Logs) InfoContext(_ context.Context, msg string, args ...any)  { l.Info(msg, args...) }
func (l *Logs) WarnContext(_ context.Context, msg string, args ...any)  { l.Warn(msg, args...) }
func (l *Logs) ErrorContext(_ context.Context, msg string, args ...any) { l.Error(msg, args...) }

// String is everything logged so far, a line each.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
