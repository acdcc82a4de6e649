package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// A code key holds "c:<authRequestID>" until consumed, then the tombstone
// "t:<authRequestID>", so a replay still names the request to revoke.
const (
	codeLive      = "c:"
	codeTombstone = "t:"
)

// consumeCode returns {status, authRequestID}; ARGV[1] is the tombstone
// lifetime in ms, ARGV[2] the caller's deadline (Unix ms, 0: none). Run
// after its caller gave up (it waited in a frozen server's socket while
// the client was answered 503), it changes nothing: the client's retry
// must not read as a replay, which would revoke the grant.
var consumeCode = goredis.NewScript(`
if ARGV[2] ~= '0' then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[2]) then return {'late', ''} end
end
local v = redis.call('GET', KEYS[1])
if not v then return {'notfound', ''} end
local id = string.sub(v, 3)
if string.sub(v, 1, 2) == 't:' then return {'replayed', id} end
redis.call('SET', KEYS[1], 't:' .. id, 'PX', ARGV[1])
return {'ok', id}
`)

// SaveCode stores a new code; ErrConflict if the hash is already stored
// (live or as a tombstone), so a replayed code can never be revived.
func (s *Store) SaveCode(ctx context.Context, codeHash, authRequestID string, ttl time.Duration) error {
	const op = "save code"
	if err := expiring(op, ttl, "code hash", codeHash, "auth request ID", authRequestID); err != nil {
		return err
	}
	ok, err := s.c.SetArgs(ctx, s.k.code(codeHash), codeLive+authRequestID, goredis.SetArgs{
		Mode: "NX",
		TTL:  px(ttl),
	}).Result()
	switch {
	case errors.Is(err, goredis.Nil): // NX refused
		return fmt.Errorf("redis: %s: %w", op, store.ErrConflict)
	case err != nil:
		return wrap(op, err)
	case ok != "OK":
		return fmt.Errorf("redis: %s: unexpected reply %q", op, ok)
	}
	return nil
}

// ConsumeCode returns the auth request ID once and leaves a tombstone.
func (s *Store) ConsumeCode(ctx context.Context, codeHash string, tombstoneTTL time.Duration) (string, error) {
	const op = "consume code"
	if err := lifetime(op, tombstoneTTL); err != nil {
		return "", err
	}
	res, err := consumeCode.Run(ctx, s.c, []string{s.k.code(codeHash)}, ms(tombstoneTTL), s.deadline(ctx)).StringSlice()
	if err != nil {
		return "", wrap(op, err)
	}
	if len(res) != 2 {
		return "", fmt.Errorf("redis: %s: unexpected reply %q", op, res)
	}
	switch res[0] {
	case "ok":
		return res[1], nil
	case "replayed":
		return res[1], fmt.Errorf("redis: %s: %w", op, store.ErrCodeReplayed)
	case "notfound":
		return "", fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	case "late":
		return "", fmt.Errorf("redis: %s: Redis ran it after the request's deadline, so it changed nothing: %w", op, store.ErrUnavailable)
	}
	return "", fmt.Errorf("redis: %s: unexpected reply %q", op, res)
}
