package store

import (
	"context"
	"sync/atomic"
	"time"
)

// WaitBudget is how long one request has waited for its store so far. A
// backend with a timeout bounds the total, not each call: a request that
// makes several calls to an unreachable store (and some carry on after a
// failed one, to log or to fall back) still gives up within one timeout.
type WaitBudget struct{ spent atomic.Int64 }

type waitBudgetKey struct{}

// WithWaitBudget gives ctx, and every context derived from it, a fresh
// WaitBudget. The broker calls it once per HTTP request.
func WithWaitBudget(ctx context.Context) context.Context {
	return context.WithValue(ctx, waitBudgetKey{}, &WaitBudget{})
}

// WaitBudgetFrom returns ctx's budget, nil when it has none (background
// work: each call then has the whole timeout).
func WaitBudgetFrom(ctx context.Context) *WaitBudget {
	b, _ := ctx.Value(waitBudgetKey{}).(*WaitBudget)
	return b
}

// Spent is the time waited so far.
func (b *WaitBudget) Spent() time.Duration { return time.Duration(b.spent.Load()) }

// Add counts d as waited.
func (b *WaitBudget) Add(d time.Duration) { b.spent.Add(int64(d)) }
