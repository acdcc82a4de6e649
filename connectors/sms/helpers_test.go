package sms

import (
	"context"
	"sync"

	"github.com/gjjid/gjjid/connectors/connectorstest"
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
type recLogger = connectorstest.Logs
