package keys

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestRunKeepsServingWhenTheStoreFails(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	logs := &lockedBuffer{}
	m := newTestManager(t, st, clk, func(o *Options) {
		o.CheckInterval = 5 * time.Millisecond
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	active, jwks := m.Active().ID(), string(m.JWKS())

	st.mu.Lock()
	st.getErr = errStoreDown
	st.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		m.Run(ctx)
		close(done)
	}()
	eventually(t, "a logged refresh failure", func() bool {
		return strings.Contains(logs.String(), "refresh failed") && strings.Contains(logs.String(), errStoreDown.Error())
	})
	if m.Active().ID() != active || string(m.JWKS()) != jwks {
		t.Errorf("a failing store changed what is served")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

func TestRunFollowsAnotherInstancesRotation(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	fast := func(o *Options) { o.CheckInterval = 5 * time.Millisecond }
	a := newTestManager(t, st, clk, fast)
	b := newTestManager(t, st, clk, fast)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.Run(ctx)

	if err := b.RotateNow(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the running instance to load the rotation", func() bool {
		return a.Active().ID() == b.Active().ID() && a.Version() == b.Version()
	})
}
