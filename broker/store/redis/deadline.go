package redisstore

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// deadlineHook bounds every command and pipeline by the store timeout,
// shared per request through store.WaitBudget. With the client's
// ContextTimeoutEnabled, the deadline reaches every socket read and write,
// the wait for a pooled connection, each dial, go-redis's retries and
// their back-off, and Sentinel and Cluster redirects: without it, a frozen
// Redis held a command for one read timeout per retry, and a request for
// one timeout per store call.
type deadlineHook struct{ timeout time.Duration }

var _ goredis.Hook = deadlineHook{}

func (h deadlineHook) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (h deadlineHook) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		ctx, done, err := h.bound(ctx)
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		defer done()
		return next(ctx, cmd)
	}
}

func (h deadlineHook) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		ctx, done, err := h.bound(ctx)
		if err != nil {
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		defer done()
		return next(ctx, cmds)
	}
}

// bound returns ctx limited to what is left of the request's budget (the
// whole timeout without one) and a func that counts the time spent. A
// spent budget is an error at once, which wrap classifies as unavailable.
func (h deadlineHook) bound(ctx context.Context) (context.Context, func(), error) {
	b := store.WaitBudgetFrom(ctx)
	left := h.timeout
	if b != nil {
		left -= b.Spent()
	}
	if left <= 0 {
		return nil, nil, fmt.Errorf("this request already waited %v for Redis: %w", h.timeout, context.DeadlineExceeded)
	}
	ctx, cancel := context.WithTimeout(ctx, left)
	start := time.Now()
	return ctx, func() {
		cancel()
		if b != nil {
			b.Add(time.Since(start))
		}
	}, nil
}

// deadline is when the request that ctx carries stops waiting for Redis,
// in Unix milliseconds (0: never), for scripts that must not run after
// their caller gave up. It assumes the broker's and Redis's clocks agree
// to well within the timeout.
func (s *Store) deadline(ctx context.Context) int64 {
	d, ok := ctx.Deadline()
	if s.timeout > 0 {
		left := s.timeout
		if b := store.WaitBudgetFrom(ctx); b != nil {
			left -= b.Spent()
		}
		if t := time.Now().Add(left); !ok || t.Before(d) {
			d, ok = t, true
		}
	}
	if !ok {
		return 0
	}
	return d.UnixMilli()
}
