package redisstore

import (
	"context"
	"errors"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// WatchQR registers wake for id's state changes; the store's one
// subscription to the events channel starts with the first watch.
func (s *Store) WatchQR(id string, wake func()) (stop func()) {
	return s.qr.watch(s, id, wake)
}

// qrHub is the store's one subscription to p qr-events, the channel every
// QR step that changes a session's state publishes the session's ID on
// (qr.go), and this instance's waiters, which it wakes by that ID. The
// zero value is ready; the subscription starts on the first watch and ends
// with Close.
type qrHub struct {
	local store.QRWatchers // this instance's waiters, by session ID

	mu      sync.Mutex // guards the subscription's state below
	started bool
	closed  bool
	cancel  context.CancelFunc
	ps      *goredis.PubSub
	done    chan struct{}
}

// qrSubscribeWait bounds how long the first watch waits for Redis to
// confirm the subscription; past it the watch still works, and a change in
// the gap is caught by the caller's periodic re-read.
const qrSubscribeWait = 2 * time.Second

func (h *qrHub) watch(s *Store, id string, wake func()) func() {
	stop := h.local.Watch(id, wake)
	var ready chan struct{}
	h.mu.Lock()
	if !h.started && !h.closed {
		h.started = true
		ready = make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		h.cancel, h.done = cancel, make(chan struct{})
		h.ps = s.c.Subscribe(ctx, s.k.qrEvents())
		go h.run(ctx, h.ps, ready)
	}
	h.mu.Unlock()
	if ready != nil {
		select {
		case <-ready:
		case <-time.After(qrSubscribeWait):
		}
	}
	return stop
}

// qrReceiveTimeout is how long the subscriber waits for a message before
// it pings, so a connection that died silently is noticed and replaced.
const qrReceiveTimeout = 30 * time.Second

// run receives events until ctx ends. go-redis reconnects and subscribes
// again after a connection failure; every subscription confirmation after
// the first means messages may have been lost, so every waiter is woken to
// read its session again.
func (h *qrHub) run(ctx context.Context, ps *goredis.PubSub, ready chan struct{}) {
	defer close(h.done)
	defer ps.Close()
	subscribed := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, qrReceiveTimeout)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				_ = ps.Ping(ctx)
				continue
			}
			select { // Redis is away: go-redis dials again on the next receive
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		switch m := msg.(type) {
		case *goredis.Subscription:
			if m.Kind != "subscribe" {
				continue
			}
			if !subscribed {
				subscribed = true
				close(ready)
				continue
			}
			h.local.WakeAll()
		case *goredis.Message:
			h.local.Wake(m.Payload)
		}
	}
}

// close ends the subscription; later watches register but are woken by
// nobody (the store is closed).
func (h *qrHub) close() {
	h.mu.Lock()
	h.closed = true
	cancel, ps, done := h.cancel, h.ps, h.done
	h.mu.Unlock()
	if cancel != nil {
		cancel()
		_ = ps.Close() // interrupts a receive blocked on the connection
		<-done
	}
}
