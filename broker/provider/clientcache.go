package provider

import (
	"context"
	"sync"
	"time"
)

// clientCache serves client records, read through Options.Clients (the
// configuration file's clients over the stored ones), from memory for a
// short TTL: the library loads the client several times per request, and
// a token request must not cost several store round trips. A change through the admin API or dynamic
// registration shows at once on the instance that made it (clients.Service
// calls ForgetClient) and after at most the TTL on the others.
type clientCache struct {
	lookup   ClientLookup
	ttl      time.Duration
	now      func() time.Time
	loginURL func(string) string
	idTTL    time.Duration

	mu      sync.RWMutex
	entries map[string]cachedClient
}

type cachedClient struct {
	c       *client
	expires time.Time
}

func (cc *clientCache) get(ctx context.Context, id string) (*client, error) {
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
	c := &client{c: rec, loginURL: cc.loginURL, idTTL: cc.idTTL}
	cc.mu.Lock()
	if len(cc.entries) > 10000 { // unbounded growth guard against random IDs
		clear(cc.entries)
	}
	cc.entries[id] = cachedClient{c: c, expires: now.Add(cc.ttl)}
	cc.mu.Unlock()
	return c, nil
}

// forget drops a client so the next request reads it again.
func (cc *clientCache) forget(id string) {
	cc.mu.Lock()
	delete(cc.entries, id)
	cc.mu.Unlock()
}
