package redisstore

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// defaultPageSize is what ListClients returns when limit is not positive.
const defaultPageSize = 100

// createClient writes a client and indexes its ID unless the ID is taken.
//
//	KEYS  the client, the ID index (both tagged {clients})
//	ARGV  client JSON, client ID
var createClient = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return 1
`)

// swapClient replaces a client if it still is what the caller read.
//
//	KEYS  the client
//	ARGV  expected JSON, new JSON
var swapClient = goredis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`)

// updateClientAttempts bounds the compare-and-set retries of UpdateClient
// when the same client is written concurrently.
const updateClientAttempts = 8

// PutClient creates or replaces the client and indexes its ID, in one MULTI.
func (s *Store) PutClient(ctx context.Context, c *store.Client) error {
	const op = "put client"
	b, err := encodeRecord(op, c, "ID", c.ID)
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

// CreateClient writes the client and its index entry in one script, unless
// the ID is taken.
func (s *Store) CreateClient(ctx context.Context, c *store.Client) error {
	const op = "create client"
	b, err := encodeRecord(op, c, "ID", c.ID)
	if err != nil {
		return err
	}
	n, err := createClient.Run(ctx, s.c, []string{s.k.client(c.ID), s.k.clientIDs()}, b, c.ID).Int()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: %s %q: %w", op, c.ID, store.ErrConflict)
	}
	return nil
}

// UpdateClient reads the client, applies update and writes the result with
// a compare-and-set on the JSON read; a lost race reads again. A client
// deleted meanwhile fails the compare and then reads as ErrNotFound, so an
// update never brings a deleted client back.
func (s *Store) UpdateClient(ctx context.Context, id string, update func(*store.Client) error) (*store.Client, error) {
	const op = "update client"
	if err := required(op, "ID", id); err != nil {
		return nil, err
	}
	k := s.k.client(id)
	for range updateClientAttempts {
		old, err := s.c.Get(ctx, k).Result()
		if err != nil {
			return nil, wrap(op, err)
		}
		c, err := decode[store.Client](op, old)
		if err != nil {
			return nil, err
		}
		if err := store.ApplyClientUpdate("redis: "+op, id, c, update); err != nil {
			return nil, err
		}
		b, err := encode(op, c)
		if err != nil {
			return nil, err
		}
		n, err := swapClient.Run(ctx, s.c, []string{k}, old, b).Int()
		if err != nil {
			return nil, wrap(op, err)
		}
		if n == 1 {
			return decode[store.Client](op, b)
		}
	}
	return nil, fmt.Errorf("redis: %s %q: written concurrently %d times in a row: %w", op, id, updateClientAttempts, store.ErrConflict)
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
