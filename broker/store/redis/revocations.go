package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// denyUntil sets KEYS[1] to "1" for ARGV[1] ms unless it already lives
// longer: a later, shorter revocation never shortens an earlier one. With
// two more keys (a refresh family and its earlier-format cur) it also
// revokes that family: dropped when the marker stands for it (refresh.go),
// else (the grant's tokens all expired) marked revoked.
var denyUntil = goredis.NewScript(revokeFamilyLua + `
if ARGV[1] ~= '0' and redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
if KEYS[2] then
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('DEL', KEYS[2], KEYS[3])
  else
    revokeFamily(KEYS[2], KEYS[3])
  end
end
return 1
`)

// revokeSubject keeps the later of the stored and the new `before` (unix ms)
// and the longer of the two lifetimes.
var revokeSubject = goredis.NewScript(`
local before = ARGV[1]
local old = redis.call('GET', KEYS[1])
if old and tonumber(old) > tonumber(before) then before = old end
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left > ttl then ttl = left end
redis.call('SET', KEYS[1], before, 'PX', ttl)
return 1
`)

// RevokeAccessToken denies the token with this jti until `until`; a time in
// the past has nothing left to deny.
func (s *Store) RevokeAccessToken(ctx context.Context, jti string, until time.Time) error {
	ttl := time.Until(until)
	if ttl <= 0 {
		return nil
	}
	return wrap("revoke access token", denyUntil.Run(ctx, s.c, []string{s.k.revokedJTI(jti)}, ms(ttl)).Err())
}

// RevokeGrant denies the grant's access tokens until `until` and, in the
// same script, revokes the refresh family of the same ID whatever `until` is.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, until time.Time) error {
	var left int64 // 0: the access tokens already expired, only the family
	if ttl := time.Until(until); ttl > 0 {
		left = ms(ttl)
	}
	return wrap("revoke grant", denyUntil.Run(ctx, s.c,
		[]string{s.k.revokedGrant(grantID), s.k.family(grantID), s.k.legacyCur(grantID)}, left).Err())
}

// RevokeSubject denies the subject's tokens issued before `before` (compared
// in unix milliseconds). A later call never narrows an earlier one.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	ttl := time.Until(until)
	if ttl <= 0 {
		return nil
	}
	return wrap("revoke subject", revokeSubject.Run(ctx, s.c, []string{s.k.revokedSubject(subject)},
		strconv.FormatInt(before.UnixMilli(), 10), ms(ttl)).Err())
}

// AccessTokenRevoked asks the three denylists in one pipeline: one round
// trip on a single server, one per node in parallel on a cluster.
func (s *Store) AccessTokenRevoked(ctx context.Context, jti, grantID, subject string, issuedAt time.Time) (bool, error) {
	const op = "access token revoked"
	var byJTI, byGrant *goredis.IntCmd
	var bySubject *goredis.StringCmd
	cmds, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		if jti != "" {
			byJTI = p.Exists(ctx, s.k.revokedJTI(jti))
		}
		if grantID != "" {
			byGrant = p.Exists(ctx, s.k.revokedGrant(grantID))
		}
		if subject != "" {
			bySubject = p.Get(ctx, s.k.revokedSubject(subject))
		}
		return nil
	})
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, goredis.Nil) {
			return false, wrap(op, err)
		}
	}
	if err != nil && !errors.Is(err, goredis.Nil) {
		return false, wrap(op, err)
	}
	if (byJTI != nil && byJTI.Val() == 1) || (byGrant != nil && byGrant.Val() == 1) {
		return true, nil
	}
	if bySubject == nil || bySubject.Err() != nil {
		return false, nil
	}
	before, err := strconv.ParseInt(bySubject.Val(), 10, 64)
	if err != nil {
		return false, fmt.Errorf("redis: %s: subject mark %q: %w", op, bySubject.Val(), err)
	}
	return issuedAt.UnixMilli() < before, nil
}
