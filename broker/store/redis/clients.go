package redisstore

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// defaultPageSize is what ListClients returns when limit is not positive.
const defaultPageSize = 100

// PutClient creates or replaces the client and indexes its ID, in one MULTI.
func (s *Store) PutClient(ctx context.Context, c *store.Client) error {
	const op = "put client"
	if err := required(op, "ID", c.ID); err != nil {
		return err
	}
	b, err := encode(op, c)
	if err != nil {
		return err
	}
	_, err = s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, s.k.client(c.ID), b, 0)
		p.ZAdd(ctx, s.k.clientIDs(), goredis.Z{Member: c.ID})
		return nil
	})
	return wrap(op, err)
}

// GetClient returns the client.
func (s *Store) GetClient(ctx context.Context, id string) (*store.Client, error) {
	const op = "get client"
	raw, err := s.c.Get(ctx, s.k.client(id)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	return decode[store.Client](op, raw)
}

// DeleteClient removes the client and its index entry, in one MULTI;
// ErrNotFound when there is none, so the admin API can answer 404.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	const op = "delete client"
	var n *goredis.IntCmd
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		n = p.Del(ctx, s.k.client(id))
		p.ZRem(ctx, s.k.clientIDs(), id)
		return nil
	})
	if err != nil {
		return wrap(op, err)
	}
	if n.Val() == 0 {
		return fmt.Errorf("redis: %s %q: %w", op, id, store.ErrNotFound)
	}
	return nil
}

// ListClients returns up to limit clients with IDs after cursor, in byte
// order of their IDs (ZRANGEBYLEX over the ID index); next is the last ID
// returned when more follow.
func (s *Store) ListClients(ctx context.Context, cursor string, limit int) ([]*store.Client, string, error) {
	const op = "list clients"
	if limit <= 0 {
		limit = defaultPageSize
	}
	lo := "-"
	if cursor != "" {
		lo = "(" + cursor
	}
	// ZRANGEBYLEX rather than ZRANGE … BYLEX, which needs Redis 6.2.
	ids, err := s.c.ZRangeByLex(ctx, s.k.clientIDs(), &goredis.ZRangeBy{
		Min: lo, Max: "+", Count: int64(limit) + 1,
	}).Result() //nolint:staticcheck // see above
	if err != nil {
		return nil, "", wrap(op, err)
	}
	next := ""
	if len(ids) > limit {
		ids = ids[:limit]
		next = ids[limit-1]
	}
	if len(ids) == 0 {
		return []*store.Client{}, "", nil
	}
	ks := make([]string, len(ids))
	for i, id := range ids {
		ks[i] = s.k.client(id)
	}
	// One slot ({clients}), so one MGET even on a cluster.
	raws, err := s.c.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, "", wrap(op, err)
	}
	out := make([]*store.Client, 0, len(raws))
	for _, r := range raws {
		raw, ok := r.(string)
		if !ok {
			continue // deleted between ZRANGEBYLEX and MGET
		}
		c, err := decode[store.Client](op, raw)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	return out, next, nil
}
