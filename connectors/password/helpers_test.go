package password

import (
	"fmt"
	"strings"
	"sync"
)

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
