package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// A family is its "cur" key (the current member's hash, or "" once revoked)
// plus one key per member. Former members keep their keys until they would
// have expired, which is how presenting one again is told apart from an
// unknown hash. All of a family's keys and the revocation marker of the
// grant with the same ID share the hash tag {<familyID>}.
//
// A rotation is confirmed once its reply reached the broker. Redis can run
// a rotation and still fail to answer in time (frozen or killed between
// running the script and writing the reply): the broker then answers 503
// and the client, which never saw the new token, presents the old one
// again. That would read as reuse and revoke the family of a client that
// did nothing wrong. So a rotation leaves a "pend" key naming the member
// it replaced and the rotating request's deadline; once that deadline has
// passed without a confirmation (the broker gave up on the reply), the
// replaced member is usable again, and presenting it rotates once more,
// turning the unconfirmed successor into a former member. Before the
// deadline a second use is concurrent reuse as always, and every
// confirmed rotation keeps RFC 9700's reuse detection.

// pendingLua defines pending(key, hash): whether hash is the member an
// unconfirmed rotation replaced and that rotation's request gave up; and
// nowms(): Redis's clock in milliseconds.
const pendingLua = `
local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function pending(key, hash)
  local p = redis.call('GET', key)
  if not p then return false end
  local d, h = string.match(p, '^(%d+)|(.+)$')
  return h == hash and nowms() > tonumber(d)
end
`

// createRefreshToken: KEYS cur, member, grant marker; ARGV member JSON, ms.
var createRefreshToken = goredis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return 'revoked' end
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 'ok'
`)

// getRefreshToken: KEYS cur, member, pend; ARGV hash. Returns {status, JSON}.
var getRefreshToken = goredis.NewScript(pendingLua + `
local cur = redis.call('GET', KEYS[1])
if not cur then return {'notfound', ''} end
if cur == '' then return {'revoked', ''} end
if cur == ARGV[1] or pending(KEYS[3], ARGV[1]) then
  local v = redis.call('GET', KEYS[2])
  if not v then return {'notfound', ''} end
  return {'ok', v}
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('SET', KEYS[1], '', 'KEEPTTL')
  return {'reused', ''}
end
return {'notfound', ''}
`)

// rotateRefreshToken: KEYS cur, old member, new member, pend; ARGV old
// hash, new hash, new member JSON, ms, the caller's deadline (Unix ms, 0:
// none, and no pending mark).
//
// Besides the pending mark, two guards keep a store failure from revoking
// a family whose client did nothing wrong. A rotation Redis reaches only
// after its caller gave up (the command sat in a frozen server's socket)
// refuses to run: the client was answered 503 and still holds the old
// token. A rotation run again with the same new hash (go-redis retried
// after the first run's reply was lost) succeeds: the new hash is random,
// so only this rotation can know it.
var rotateRefreshToken = goredis.NewScript(pendingLua + `
if ARGV[5] ~= '0' and nowms() > tonumber(ARGV[5]) then return 'late' end
local cur = redis.call('GET', KEYS[1])
if not cur then return 'notfound' end
if cur == '' then return 'revoked' end
if cur == ARGV[2] then return 'ok' end
if cur ~= ARGV[1] and not pending(KEYS[4], ARGV[1]) then
  if redis.call('EXISTS', KEYS[2]) == 1 then
    redis.call('SET', KEYS[1], '', 'KEEPTTL')
    return 'reused'
  end
  return 'notfound'
end
redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
if ARGV[5] == '0' then
  redis.call('DEL', KEYS[4])
else
  redis.call('SET', KEYS[4], ARGV[5] .. '|' .. ARGV[1], 'PX', ARGV[4])
end
return 'ok'
`)

// confirmRotation: KEYS pend; ARGV the pending mark the rotation left. The
// broker has the rotation's reply: the replaced member is a former one.
var confirmRotation = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 'ok'
`)

// CreateRefreshToken starts family rt.FamilyID. ErrConflict when the family
// exists; ErrRevoked when its grant was revoked before it was created (a
// replayed code revoked the grant while the first exchange was running).
func (s *Store) CreateRefreshToken(ctx context.Context, hash string, rt *store.RefreshToken) error {
	const op = "create refresh token"
	if err := required(op, "family ID", rt.FamilyID, "hash", hash); err != nil {
		return err
	}
	ttl := time.Until(rt.ExpiresAt)
	if err := lifetime(op, ttl); err != nil {
		return err
	}
	b, err := encode(op, rt)
	if err != nil {
		return err
	}
	f := rt.FamilyID
	res, err := createRefreshToken.Run(ctx, s.c,
		[]string{s.k.familyCur(f), s.k.member(f, hash), s.k.revokedGrant(f)},
		b, ms(ttl), hash).Text()
	if err != nil {
		return wrap(op, err)
	}
	return s.familyStatus(op, f, res)
}

// GetRefreshToken returns the family's current member; presenting a former
// member revokes the family.
func (s *Store) GetRefreshToken(ctx context.Context, familyID, hash string) (*store.RefreshToken, error) {
	const op = "get refresh token"
	res, err := getRefreshToken.Run(ctx, s.c,
		[]string{s.k.familyCur(familyID), s.k.member(familyID, hash), s.k.familyPending(familyID)}, hash).StringSlice()
	if err != nil {
		return nil, wrap(op, err)
	}
	if len(res) != 2 {
		return nil, fmt.Errorf("redis: %s: unexpected reply %q", op, res)
	}
	if err := s.familyStatus(op, familyID, res[0]); err != nil {
		return nil, err
	}
	return decode[store.RefreshToken](op, res[1])
}

// RotateRefreshToken makes newHash the current member if oldHash still is
// (or is the member an abandoned, unconfirmed rotation replaced), then
// confirms the rotation. A failed confirmation is not an error: the
// rotation stands, and oldHash stays usable until newHash is used.
func (s *Store) RotateRefreshToken(ctx context.Context, familyID, oldHash, newHash string, next *store.RefreshToken) error {
	const op = "rotate refresh token"
	if err := required(op, "family ID", familyID, "new hash", newHash); err != nil {
		return err
	}
	ttl := time.Until(next.ExpiresAt)
	if err := lifetime(op, ttl); err != nil {
		return err
	}
	n := *next
	n.FamilyID = familyID
	b, err := encode(op, &n)
	if err != nil {
		return err
	}
	keys := []string{s.k.familyCur(familyID), s.k.member(familyID, oldHash), s.k.member(familyID, newHash), s.k.familyPending(familyID)}
	deadline := s.deadline(ctx)
	args := []any{oldHash, newHash, b, ms(ttl), deadline}
	// The subject's revocation mark lives in another slot, so it cannot be
	// read inside the script; it rides in the same pipeline (one round
	// trip) and is acted on right after.
	var rot *goredis.Cmd
	var mark *goredis.StringCmd
	_, _ = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		rot = p.EvalSha(ctx, rotateRefreshToken.Hash(), keys, args...)
		mark = p.Get(ctx, s.k.revokedSubject(n.Subject))
		return nil
	})
	if err := rot.Err(); err != nil && goredis.HasErrorPrefix(err, "NOSCRIPT") {
		rot = rotateRefreshToken.Run(ctx, s.c, keys, args...) // loads the script
		mark = s.c.Get(ctx, s.k.revokedSubject(n.Subject))
	}
	res, err := rot.Text()
	if err != nil {
		return wrap(op, err)
	}
	if err := s.familyStatus(op, familyID, res); err != nil {
		return err
	}
	if err := mark.Err(); err != nil && !errors.Is(err, goredis.Nil) {
		return wrap(op, err)
	}
	if before, err := strconv.ParseInt(mark.Val(), 10, 64); err == nil && n.AuthTime.UnixMilli() < before {
		if err := s.RevokeGrant(ctx, familyID, n.ExpiresAt); err != nil {
			return err
		}
		return fmt.Errorf("redis: %s: subject of family %q revoked: %w", op, familyID, store.ErrRevoked)
	}
	if deadline != 0 {
		_ = confirmRotation.Run(ctx, s.c, []string{s.k.familyPending(familyID)}, strconv.FormatInt(deadline, 10)+"|"+oldHash).Err()
	}
	return nil
}

// RevokeRefreshFamily marks the family revoked for the rest of its lifetime;
// SET … XX leaves an unknown family unknown.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string) error {
	err := s.c.SetArgs(ctx, s.k.familyCur(familyID), "", goredis.SetArgs{Mode: "XX", KeepTTL: true}).Err()
	if errors.Is(err, goredis.Nil) {
		err = nil
	}
	return wrap("revoke refresh family", err)
}

// familyStatus turns a script's status into the contract's errors.
func (s *Store) familyStatus(op, familyID, status string) error {
	switch status {
	case "ok":
		return nil
	case "notfound":
		return fmt.Errorf("redis: %s: family %q: %w", op, familyID, store.ErrNotFound)
	case "revoked":
		return fmt.Errorf("redis: %s: family %q: %w", op, familyID, store.ErrRevoked)
	case "reused":
		return fmt.Errorf("redis: %s: family %q: %w", op, familyID, store.ErrRefreshReused)
	case "exists":
		return fmt.Errorf("redis: %s: family %q exists: %w", op, familyID, store.ErrConflict)
	case "late":
		return fmt.Errorf("redis: %s: family %q: Redis ran it after the request's deadline, so it changed nothing: %w", op, familyID, store.ErrUnavailable)
	}
	return fmt.Errorf("redis: %s: family %q: unexpected reply %q", op, familyID, status)
}
