package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// Logout participants live in one hash per subject, field = the
// participant as JSON, value = its expiry in unix ms; the hash lives as
// long as its longest field. A string per session names the session's
// subject. Taking participants is one script over the subject's hash, so
// of concurrent takers exactly one gets each participant.
//
// The back-channel queue shares the tag {lq}: a sorted set of delivery IDs
// scored by due time (unix ms), one string per delivery (its JSON, kept
// until its deadline) and one mark per finished delivery.

// addParticipant: KEYS[1] subject hash; ARGV participant JSON, expiry ms,
// ttl ms.
var addParticipant = goredis.NewScript(`
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local exp = tonumber(ARGV[2])
if exp > old then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
`)

// extendString: KEYS[1] string; ARGV value, ttl ms. Sets it unless it
// already lives longer.
var extendString = goredis.NewScript(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
`)

// takeParticipants: KEYS[1] subject hash; ARGV[1] "sid" or "unit", ARGV[2]
// the value to match ("" with "unit": all), ARGV[3] now ms. Returns the
// live matching fields and deletes every matching one.
var takeParticipants = goredis.NewScript(`
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local p = cjson.decode(all[i])
  local match
  if ARGV[1] == 'sid' then match = (p.sid == ARGV[2]) else match = (ARGV[2] == '' or p.unit_id == ARGV[2]) end
  if match then
    redis.call('HDEL', KEYS[1], all[i])
    if tonumber(all[i + 1]) > tonumber(ARGV[3]) then table.insert(out, all[i]) end
  end
end
return out
`)

// AddLogoutParticipant records p for at least ttl.
func (s *Store) AddLogoutParticipant(ctx context.Context, p store.LogoutParticipant, ttl time.Duration) error {
	const op = "add logout participant"
	if err := expiring(op, ttl, "subject", p.Subject, "client ID", p.ClientID); err != nil {
		return err
	}
	field, err := encode(op, p)
	if err != nil {
		return err
	}
	exp := time.Now().Add(ttl).UnixMilli()
	pipe := s.c.Pipeline()
	addParticipant.Eval(ctx, pipe, []string{s.k.logoutSubject(p.Subject)}, field, exp, ms(ttl))
	if p.SessionID != "" {
		extendString.Eval(ctx, pipe, []string{s.k.logoutSession(p.SessionID)}, p.Subject, ms(ttl))
	}
	_, err = pipe.Exec(ctx)
	return wrap(op, err)
}

// TakeSessionParticipants returns and forgets the session's participants.
func (s *Store) TakeSessionParticipants(ctx context.Context, sessionID string) ([]store.LogoutParticipant, error) {
	const op = "take session participants"
	if err := required(op, "session ID", sessionID); err != nil {
		return nil, err
	}
	subject, err := s.c.GetDel(ctx, s.k.logoutSession(sessionID)).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return s.takeParticipants(ctx, op, subject, "sid", sessionID)
}

// TakeSubjectParticipants returns and forgets the subject's participants.
func (s *Store) TakeSubjectParticipants(ctx context.Context, subject, unitID string) ([]store.LogoutParticipant, error) {
	const op = "take subject participants"
	if err := required(op, "subject", subject); err != nil {
		return nil, err
	}
	return s.takeParticipants(ctx, op, subject, "unit", unitID)
}

func (s *Store) takeParticipants(ctx context.Context, op, subject, by, value string) ([]store.LogoutParticipant, error) {
	fields, err := takeParticipants.Run(ctx, s.c, []string{s.k.logoutSubject(subject)}, by, value, time.Now().UnixMilli()).StringSlice()
	if err != nil {
		return nil, wrap(op, err)
	}
	out := make([]store.LogoutParticipant, 0, len(fields))
	for _, f := range fields {
		p, err := decode[store.LogoutParticipant](op, f)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// enqueueLogouts: KEYS[1] due set; ARGV[1] item key prefix, ARGV[2] done
// key prefix, ARGV[3] due ms, then triples of ID, JSON, lifetime ms.
var enqueueLogouts = goredis.NewScript(`
for i = 4, #ARGV, 3 do
  local id = ARGV[i]
  if redis.call('EXISTS', ARGV[1] .. id) == 0 and redis.call('EXISTS', ARGV[2] .. id) == 0 then
    redis.call('SET', ARGV[1] .. id, ARGV[i + 1], 'PX', ARGV[i + 2])
    redis.call('ZADD', KEYS[1], ARGV[3], id)
  end
end
return 1
`)

// claimLogouts: KEYS[1] due set; ARGV item key prefix, now ms, lease end
// ms, limit. Returns the JSON of each claimed delivery.
var claimLogouts = goredis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[1] .. id)
  if v then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    table.insert(out, v)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`)

// retryLogout: KEYS[1] due set, KEYS[2] the delivery; ARGV ID, JSON, due
// ms. Returns 0 when the delivery is no longer queued.
var retryLogout = goredis.NewScript(`
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'KEEPTTL')
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`)

// EnqueueLogouts adds the deliveries not queued or recently finished.
func (s *Store) EnqueueLogouts(ctx context.Context, ds []*store.LogoutDelivery, due time.Time) error {
	const op = "enqueue logouts"
	if len(ds) == 0 {
		return nil
	}
	args := []any{s.k.logoutItem(""), s.k.logoutDone(""), due.UnixMilli()}
	now := time.Now()
	for _, d := range ds {
		b, err := encodeRecord(op, d, "delivery ID", d.ID, "client ID", d.ClientID)
		if err != nil {
			return err
		}
		// Kept a while past its deadline, so a late claim still finds it.
		keep := max(d.Deadline.Sub(now), 0) + time.Hour
		args = append(args, d.ID, b, ms(keep))
	}
	return wrap(op, enqueueLogouts.Run(ctx, s.c, []string{s.k.logoutDue()}, args...).Err())
}

// ClaimLogouts leases up to limit due deliveries, earliest first.
func (s *Store) ClaimLogouts(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.LogoutDelivery, error) {
	const op = "claim logouts"
	if err := lifetime(op, lease); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	raws, err := claimLogouts.Run(ctx, s.c, []string{s.k.logoutDue()}, s.k.logoutItem(""), now.UnixMilli(), now.Add(lease).UnixMilli(), limit).StringSlice()
	if err != nil {
		return nil, wrap(op, err)
	}
	out := make([]*store.LogoutDelivery, 0, len(raws))
	for _, r := range raws {
		var d store.LogoutDelivery
		if err := json.Unmarshal([]byte(r), &d); err != nil {
			return nil, fmt.Errorf("redis: %s: decode: %w", op, err)
		}
		out = append(out, &d)
	}
	return out, nil
}

// RetryLogout stores d and makes it due at due, unless it was finished.
func (s *Store) RetryLogout(ctx context.Context, d *store.LogoutDelivery, due time.Time) error {
	const op = "retry logout"
	b, err := encodeRecord(op, d, "delivery ID", d.ID)
	if err != nil {
		return err
	}
	n, err := retryLogout.Run(ctx, s.c, []string{s.k.logoutDue(), s.k.logoutItem(d.ID)}, d.ID, b, due.UnixMilli()).Int()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: %s %q: %w", op, d.ID, store.ErrNotFound)
	}
	return nil
}

// FinishLogout removes the delivery and remembers its ID for keep.
func (s *Store) FinishLogout(ctx context.Context, id string, keep time.Duration) error {
	const op = "finish logout"
	if err := expiring(op, keep, "delivery ID", id); err != nil {
		return err
	}
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.SetArgs(ctx, s.k.logoutDone(id), "1", goredis.SetArgs{TTL: px(keep)})
		p.ZRem(ctx, s.k.logoutDue(), id)
		p.Del(ctx, s.k.logoutItem(id))
		return nil
	})
	return wrap(op, err)
}

// PendingLogouts counts the queued deliveries.
func (s *Store) PendingLogouts(ctx context.Context) (int64, error) {
	n, err := s.c.ZCard(ctx, s.k.logoutDue()).Result()
	return n, wrap("pending logouts", err)
}
