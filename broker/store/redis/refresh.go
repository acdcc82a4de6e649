package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// A family is one string, rt:{<familyID>} = "<hash>|<gen>|<pending>|<JSON>":
// the current member's hash, its generation, the pending mark below ("" when
// none) and its JSON. A rotation overwrites it, so a family costs one record
// however often it rotates. (A string, not a hash: the member JSON is longer
// than a listpack-encoded hash field may be, and the hashtable encoding
// costs some 150 bytes more per family.) A former member is told apart from
// an unknown token by the generation the token carries, which the broker's
// MAC vouches for: below the family's is a former member, whose use revokes
// the family (RFC 9700 §4.14.2). Revoked through its grant (RevokeGrant:
// a sign-out, a revocation, an administrator), the family record is
// dropped and the grant's revocation marker, which lives as long as the
// grant's access and ID tokens, answers "revoked"; after it, the family's
// tokens read as unknown, which the broker refuses alike (invalid_grant).
// So an ended visit leaves nothing for the family's 30-day lifetime.
// Revoked otherwise (reuse detected, RevokeRefreshFamily), the family
// shrinks to "" for the rest of its lifetime: rare, and kept as evidence.
//
// Families started before generations keep the earlier layout until their
// first rotation: a "cur" key with the current member's hash, one key per
// member (kept after rotation, which is how their reuse is recognised: they
// carry no generation) and a "pend" key. Their first rotation moves them to
// the one record and drops cur and pend; the per-member keys stay until
// they expire, so presenting an earlier-format former member still revokes
// the family. All of a family's keys and the revocation marker of the grant
// with the same ID share the hash tag {<familyID>}.
//
// A rotation is confirmed once its reply reached the broker. Redis can run
// a rotation and still fail to answer in time (frozen or killed between
// running the script and writing the reply): the broker then answers 503
// and the client, which never saw the new token, presents the old one
// again. That would read as reuse and revoke the family of a client that
// did nothing wrong. So a rotation leaves a pending mark,
// "<deadline>:<replaced hash>"; once that deadline has passed without a
// confirmation (the broker gave up on the reply), the replaced member is
// usable again, and presenting it rotates once more, to a generation above
// the unconfirmed successor's, which turns that successor into a former
// member. Before the deadline a second use is concurrent reuse as always,
// and every confirmed rotation keeps RFC 9700's reuse detection.

// revokeFamilyLua defines revokeFamily(family, legacyCur): the family
// revoked, its member dropped, its lifetime kept; an unknown family stays
// unknown. RevokeGrant's script (revocations.go) uses it too.
const revokeFamilyLua = `
local function revokeFamily(family, legacyCur)
  if redis.call('SET', family, '', 'XX', 'KEEPTTL') then return end
  redis.call('SET', legacyCur, '', 'XX', 'KEEPTTL')
end
`

// refreshLua defines nowms(): Redis's clock in milliseconds; record(v):
// a family record's hash, generation, pending mark and JSON; pending(mark,
// hash): whether hash is the member an unconfirmed rotation replaced and
// that rotation's request gave up (mark "<deadline>:<hash>", or the
// earlier format's "<deadline>|<hash>"); former(g, gen, legacyMember):
// whether a token of generation gen (0: the earlier format, known by its
// member key) is a former member of a family at generation g.
const refreshLua = revokeFamilyLua + `
local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function record(v)
  local h, g, p, d = string.match(v, '^([^|]*)|(%d+)|([^|]*)|(.*)$')
  return h, tonumber(g), p, d
end
local function pending(mark, hash)
  if not mark then return false end
  local d, h = string.match(mark, '^(%d+)[:|](.+)$')
  return h == hash and nowms() > tonumber(d)
end
local function former(g, gen, legacyMember)
  if gen > 0 then return gen < g end
  return redis.call('EXISTS', legacyMember) == 1
end
`

// createRefreshToken: KEYS family, legacy cur, grant marker; ARGV member
// JSON, ms, hash, generation.
var createRefreshToken = goredis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return 'revoked' end
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 'exists' end
redis.call('SET', KEYS[1], ARGV[3] .. '|' .. ARGV[4] .. '||' .. ARGV[1], 'PX', ARGV[2])
return 'ok'
`)

// getRefreshToken: KEYS family, legacy cur, legacy member of the presented
// hash, legacy pend, grant marker; ARGV hash, generation. Returns {status,
// JSON}.
var getRefreshToken = goredis.NewScript(refreshLua + `
local v = redis.call('GET', KEYS[1])
if v then
  if v == '' then return {'revoked', ''} end
  local h, g, p, d = record(v)
  if h == ARGV[1] or pending(p, ARGV[1]) then return {'ok', d} end
  if former(g, tonumber(ARGV[2]), KEYS[3]) then
    revokeFamily(KEYS[1], KEYS[2])
    return {'reused', ''}
  end
  return {'notfound', ''}
end
local cur = redis.call('GET', KEYS[2])
if not cur then
  if redis.call('EXISTS', KEYS[5]) == 1 then return {'revoked', ''} end
  return {'notfound', ''}
end
if cur == '' then return {'revoked', ''} end
if cur == ARGV[1] or pending(redis.call('GET', KEYS[4]), ARGV[1]) then
  v = redis.call('GET', KEYS[3])
  if not v then return {'notfound', ''} end
  return {'ok', v}
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  revokeFamily(KEYS[1], KEYS[2])
  return {'reused', ''}
end
return {'notfound', ''}
`)

// rotateRefreshToken: KEYS family, legacy cur, legacy member of the old
// hash, legacy pend, grant marker; ARGV old hash, old generation, new hash, new member
// JSON, ms, the caller's deadline (Unix ms, 0: none, and no pending mark),
// new generation.
//
// Besides the pending mark, two guards keep a store failure from revoking
// a family whose client did nothing wrong. A rotation Redis reaches only
// after its caller gave up (the command sat in a frozen server's socket)
// refuses to run: the client was answered 503 and still holds the old
// token. A rotation run again with the same new hash (go-redis retried
// after the first run's reply was lost) succeeds: the new hash is random,
// so only this rotation can know it.
var rotateRefreshToken = goredis.NewScript(refreshLua + `
if ARGV[6] ~= '0' and nowms() > tonumber(ARGV[6]) then return 'late' end
local v = redis.call('GET', KEYS[1])
local legacy = not v
local cur, g, mark
if legacy then
  cur = redis.call('GET', KEYS[2])
  if not cur then
    if redis.call('EXISTS', KEYS[5]) == 1 then return 'revoked' end
    return 'notfound'
  end
  g, mark = 0, redis.call('GET', KEYS[4])
elseif v == '' then
  cur = ''
else
  cur, g, mark = record(v)
end
if cur == '' then return 'revoked' end
if cur == ARGV[3] then return 'ok' end
if cur ~= ARGV[1] and not pending(mark, ARGV[1]) then
  if not former(g, tonumber(ARGV[2]), KEYS[3]) then return 'notfound' end
  revokeFamily(KEYS[1], KEYS[2])
  return 'reused'
end
if tonumber(ARGV[7]) <= g then return 'stale' end
mark = ''
if ARGV[6] ~= '0' then mark = ARGV[6] .. ':' .. ARGV[1] end
redis.call('SET', KEYS[1], ARGV[3] .. '|' .. ARGV[7] .. '|' .. mark .. '|' .. ARGV[4], 'PX', ARGV[5])
if legacy then redis.call('DEL', KEYS[2], KEYS[4]) end
return 'ok'
`)

// confirmRotation: KEYS family; ARGV the pending mark the rotation left.
// The broker has the rotation's reply: the replaced member is a former one.
var confirmRotation = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 'ok' end
local hg, p, d = string.match(v, '^([^|]*|%d+)|([^|]*)|(.*)$')
if p == ARGV[1] then redis.call('SET', KEYS[1], hg .. '||' .. d, 'KEEPTTL') end
return 'ok'
`)

// revokeRefreshFamily: KEYS family, legacy cur.
var revokeRefreshFamily = goredis.NewScript(revokeFamilyLua + `
revokeFamily(KEYS[1], KEYS[2])
return 1
`)

// familyKeys are the keys every refresh script takes: the family, its
// earlier-format cur, member of hash, and pend, and the revocation marker
// of the grant with the family's ID (which tells a family RevokeGrant
// dropped from an unknown one).
func (s *Store) familyKeys(familyID, hash string) []string {
	return []string{s.k.family(familyID), s.k.legacyCur(familyID), s.k.legacyMember(familyID, hash), s.k.legacyPending(familyID), s.k.revokedGrant(familyID)}
}

// CreateRefreshToken starts family rt.FamilyID. ErrConflict when the family
// exists; ErrRevoked when its grant was revoked before it was created (a
// replayed code revoked the grant while the first exchange was running).
func (s *Store) CreateRefreshToken(ctx context.Context, hash string, rt *store.RefreshToken) error {
	const op = "create refresh token"
	if err := memberHash(op, "family ID", rt.FamilyID, "hash", hash); err != nil {
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
		[]string{s.k.family(f), s.k.legacyCur(f), s.k.revokedGrant(f)},
		b, ms(ttl), hash, rt.Generation).Text()
	if err != nil {
		return wrap(op, err)
	}
	return s.familyStatus(op, f, res)
}

// GetRefreshToken returns the family's current member; presenting a former
// member revokes the family.
func (s *Store) GetRefreshToken(ctx context.Context, familyID string, tok store.PresentedRefresh) (*store.RefreshToken, error) {
	const op = "get refresh token"
	res, err := getRefreshToken.Run(ctx, s.c, s.familyKeys(familyID, tok.Hash), tok.Hash, tok.Generation).StringSlice()
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

// RotateRefreshToken makes newHash the current member if old still is (or
// is the member an abandoned, unconfirmed rotation replaced), then confirms
// the rotation. A failed confirmation is not an error: the rotation
// stands, and old stays usable until newHash is used.
func (s *Store) RotateRefreshToken(ctx context.Context, familyID string, old store.PresentedRefresh, newHash string, next *store.RefreshToken) error {
	const op = "rotate refresh token"
	if err := memberHash(op, "family ID", familyID, "new hash", newHash); err != nil {
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
	keys := s.familyKeys(familyID, old.Hash)
	deadline := s.deadline(ctx)
	args := []any{old.Hash, old.Generation, newHash, b, ms(ttl), deadline, n.Generation}
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
		_ = confirmRotation.Run(ctx, s.c, []string{s.k.family(familyID)}, strconv.FormatInt(deadline, 10)+":"+old.Hash).Err()
	}
	return nil
}

// RevokeRefreshFamily marks the family revoked for the rest of its
// lifetime and drops its member; an unknown family stays unknown.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string) error {
	return wrap("revoke refresh family", revokeRefreshFamily.Run(ctx, s.c,
		[]string{s.k.family(familyID), s.k.legacyCur(familyID)}).Err())
}

// memberHash checks the required fields and that the hash (the last
// pair) fits the family record, whose fields '|' separates.
func memberHash(op string, pairs ...string) error {
	if err := required(op, pairs...); err != nil {
		return err
	}
	if strings.Contains(pairs[len(pairs)-1], "|") {
		return fmt.Errorf("redis: %s: %s contains '|'", op, pairs[len(pairs)-2])
	}
	return nil
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
	case "stale":
		return fmt.Errorf("redis: %s: family %q: another rotation reached a later generation first: %w", op, familyID, store.ErrConflict)
	case "late":
		return fmt.Errorf("redis: %s: family %q: Redis ran it after the request's deadline, so it changed nothing: %w", op, familyID, store.ErrUnavailable)
	}
	return fmt.Errorf("redis: %s: family %q: unexpected reply %q", op, familyID, status)
}
