package provider

import (
	"context"
	"sync"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// ClientCache serves client records from memory for a short TTL: the library
// loads the client several times per request, and a token request must not
// cost several store round trips. The broker builds one before the provider
// and the login, which both read clients through it. A change through the
// admin API or dynamic registration shows at once on the instance that made
// it (clients.Service calls Forget) and after at most the TTL on the others.
type ClientCache struct {
	lookup ClientLookup
	ttl    time.Duration
	now    func() time.Time

	mu      sync.RWMutex
	entries map[string]cachedClient
}

type cachedClient struct {
	c       *store.Client
	expires time.Time
}

// DefaultClientCacheTTL is how long a client record is served from memory
// when NewClientCache is given no TTL.
const DefaultClientCacheTTL = 5 * time.Second

// ClientLookup finds a registered client by ID; an unknown one is an error
// wrapping store.ErrNotFound. A store.Clients is one.
type ClientLookup interface {
	GetClient(ctx context.Context, id string) (*store.Client, error)
}

// NewClientCache caches the clients lookup finds for ttl (0:
// DefaultClientCacheTTL).
func NewClientCache(lookup ClientLookup, ttl time.Duration) *ClientCache {
	if ttl == 0 {
		ttl = DefaultClientCacheTTL
	}
	return &ClientCache{lookup: lookup, ttl: ttl, now: time.Now, entries: map[string]cachedClient{}}
}

// Client returns the registered client; store.ErrNotFound when there is
// none. The record is shared: callers must not change it.
func (cc *ClientCache) Client(ctx context.Context, id string) (*store.Client, error) {
	now := cc.now()
	cc.mu.RLock()
	e, ok := cc.entries[id]
	cc.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.c, nil
	}
	rec, err := cc.lookup.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	if len(cc.entries) > 10000 { // unbounded growth guard against random IDs
		clear(cc.entries)
	}
	cc.entries[id] = cachedClient{c: rec, expires: now.Add(cc.ttl)}
	cc.mu.Unlock()
	return rec, nil
}

// Forget drops a client so the next request reads it again.
func (cc *ClientCache) Forget(id string) {
	cc.mu.Lock()
	delete(cc.entries, id)
	cc.mu.Unlock()
}
