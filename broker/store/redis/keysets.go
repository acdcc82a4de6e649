package redisstore

import (
	"context"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// The key set is one hash: v the version, d the opaque data.

// swapKeySet: ARGV expected version, data. Returns the new version or -1.
var swapKeySet = goredis.NewScript(`
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'v', v + 1, 'd', ARGV[2])
return v + 1
`)

// GetKeySet returns the stored key set and its version.
func (s *Store) GetKeySet(ctx context.Context) ([]byte, int64, error) {
	const op = "get key set"
	vals, err := s.c.HMGet(ctx, s.k.keySet(), "v", "d").Result()
	if err != nil {
		return nil, 0, wrap(op, err)
	}
	v, _ := vals[0].(string)
	d, _ := vals[1].(string)
	if v == "" {
		return nil, 0, fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	}
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("redis: %s: version %q: %w", op, v, err)
	}
	return []byte(d), version, nil
}

// SwapKeySet stores data if the version is still oldVersion.
func (s *Store) SwapKeySet(ctx context.Context, oldVersion int64, data []byte) (int64, error) {
	const op = "swap key set"
	v, err := swapKeySet.Run(ctx, s.c, []string{s.k.keySet()}, oldVersion, data).Int64()
	if err != nil {
		return 0, wrap(op, err)
	}
	if v < 0 {
		return 0, fmt.Errorf("redis: %s: version is not %d: %w", op, oldVersion, store.ErrConflict)
	}
	return v, nil
}
