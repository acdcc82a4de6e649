package redisstore

import (
	"context"

	goredis "github.com/redis/go-redis/v9"
)

// lexPage returns up to limit members of the sorted set index (all scores
// 0) after cursor, in byte order, and the cursor of the next page ("" when
// none follows).
func (s *Store) lexPage(ctx context.Context, op, index, cursor string, limit int) ([]string, string, error) {
	if limit <= 0 {
		limit = defaultPageSize
	}
	lo := "-"
	if cursor != "" {
		lo = "(" + cursor
	}
	// ZRANGEBYLEX rather than ZRANGE … BYLEX, which needs Redis 6.2.
	members, err := s.c.ZRangeByLex(ctx, index, &goredis.ZRangeBy{
		Min: lo, Max: "+", Count: int64(limit) + 1,
	}).Result() //nolint:staticcheck // see above
	if err != nil {
		return nil, "", wrap(op, err)
	}
	next := ""
	if len(members) > limit {
		members = members[:limit]
		next = members[limit-1]
	}
	return members, next, nil
}

// getPage reads the records of one page of an index whose members name
// string keys (key(member)). Members whose record vanished between the two
// reads are skipped. Index and records share a hash tag, so one MGET serves
// even on a cluster.
func getPage[T any](ctx context.Context, s *Store, op, index, cursor string, limit int, key func(string) string) ([]*T, string, error) {
	members, next, err := s.lexPage(ctx, op, index, cursor, limit)
	if err != nil || len(members) == 0 {
		return []*T{}, "", err
	}
	ks := make([]string, len(members))
	for i, m := range members {
		ks[i] = key(m)
	}
	raws, err := s.c.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, "", wrap(op, err)
	}
	out := make([]*T, 0, len(raws))
	for _, r := range raws {
		raw, ok := r.(string)
		if !ok {
			continue
		}
		v, err := decode[T](op, raw)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	return out, next, nil
}
