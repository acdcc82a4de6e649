package sms

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

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
