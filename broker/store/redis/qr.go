package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// A QR session is one string, p qr:{<id>}, because a fund's peak puts
// tens of thousands of them in Redis at once and a string costs less than
// a hash (whose Data field would exceed hash-max-listpack-value and turn it
// into a full hash table):
//
//	state|expires unix ms|polls|poll hash|app session|ticket hash|len(Data)|Data AppData
//
// The six fields before the length never contain '|' (the store refuses
// such inputs); Data and AppData are opaque bytes, told apart by the
// length. The key lives until ExpiresAt + keep. Every step is one Lua
// script on that one key (one slot on a cluster) that rewrites the record
// with KEEPTTL; a step that changes the state publishes the session ID on
// the channel p qr-events from inside the same script. Each broker instance
// subscribes to that one channel once and wakes its own waiters
// (qrevents.go): a plain
// channel reaches every node's subscribers on a Redis Cluster, and the
// payload is only the ID, so the broadcast stays small
// (docs/appscan.md#storage-and-wake-ups weighs it against sharded channels).
//
// The count of QR codes shown for an authorization request is a field q of
// that request's own hash (authrequests.go), so it lives exactly as long as
// the request and costs no key of its own.

func (k keys) qr(id string) string { return k.p + "qr:{" + id + "}" }
func (k keys) qrEvents() string    { return k.p + "qr-events" }

// qrLua parses and builds the record in scripts.
const qrLua = `
local function parse(v)
  local f, pos = {}, 1
  for i = 1, 7 do
    local j = string.find(v, '|', pos, true)
    f[i] = string.sub(v, pos, j - 1)
    pos = j + 1
  end
  local n = tonumber(f[7])
  f[8] = string.sub(v, pos, pos + n - 1)
  f[9] = string.sub(v, pos + n)
  return f
end
local function build(f)
  return f[1] .. '|' .. f[2] .. '|' .. f[3] .. '|' .. f[4] .. '|' .. f[5] .. '|' .. f[6] .. '|' .. #f[8] .. '|' .. f[8] .. f[9]
end
`

// pollQR: KEYS qr; ARGV poll hash. Returns {status, record}.
var pollQR = goredis.NewScript(qrLua + `
local v = redis.call('GET', KEYS[1])
if not v then return {'notfound', ''} end
local f = parse(v)
if f[4] ~= ARGV[1] then return {'conflict', ''} end
f[3] = tostring(tonumber(f[3]) + 1)
v = build(f)
redis.call('SET', KEYS[1], v, 'KEEPTTL')
return {'ok', v}
`)

// updateQR: KEYS qr; ARGV now ms, from (space-separated), to, app session,
// poll hash, ticket hash, new ticket hash, app data, app data set ("1"),
// channel, ID. Returns {status, record}; the conditions are those of
// connectors.QRUpdate.AppliesTo.
var updateQR = goredis.NewScript(qrLua + `
local v = redis.call('GET', KEYS[1])
if not v then return {'notfound', ''} end
local f = parse(v)
local st = f[1]
if (st == 'waiting' or st == 'scanned') and tonumber(ARGV[1]) >= tonumber(f[2]) then st = 'expired' end
local ok = string.find(' ' .. ARGV[2] .. ' ', ' ' .. st .. ' ', 1, true) ~= nil
if ok and ARGV[4] ~= '' and f[5] ~= '' and f[5] ~= ARGV[4] then ok = false end
if ok and ARGV[5] ~= '' and f[4] ~= ARGV[5] then ok = false end
if ok and ARGV[6] ~= '' and f[6] ~= ARGV[6] then ok = false end
if not ok then return {'conflict', v} end
if ARGV[3] ~= '' then f[1] = ARGV[3] end
if ARGV[4] ~= '' and f[5] == '' then f[5] = ARGV[4] end
if ARGV[7] ~= '' then f[6] = ARGV[7] end
if ARGV[9] == '1' then f[9] = ARGV[8] end
v = build(f)
redis.call('SET', KEYS[1], v, 'KEEPTTL')
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[10], ARGV[11]) end
return {'ok', v}
`)

// addQRToAuthRequest: KEYS auth request; -1 when it is gone.
var addQRToAuthRequest = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], 'q', 1)
`)

// qrField refuses what would break the record's '|' separators.
func qrField(op string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.ContainsAny(pairs[i+1], "| ") {
			return fmt.Errorf("redis: %s: %s contains '|' or a space", op, pairs[i])
		}
	}
	return nil
}

// encodeQR builds the record of q.
func encodeQR(q *store.QRSession) string {
	var b strings.Builder
	b.Grow(64 + len(q.PollHash) + len(q.AppSession) + len(q.TicketHash) + len(q.Data) + len(q.AppData))
	for _, f := range []string{q.State, strconv.FormatInt(q.ExpiresAt.UnixMilli(), 10), strconv.FormatInt(q.Polls, 10),
		q.PollHash, q.AppSession, q.TicketHash, strconv.Itoa(len(q.Data))} {
		b.WriteString(f)
		b.WriteByte('|')
	}
	b.Write(q.Data)
	b.Write(q.AppData)
	return b.String()
}

// decodeQR parses a record.
func decodeQR(op, id, v string) (*store.QRSession, error) {
	f := make([]string, 7)
	rest := v
	for i := range f {
		var ok bool
		if f[i], rest, ok = strings.Cut(rest, "|"); !ok {
			return nil, fmt.Errorf("redis: %s: malformed session %s", op, id)
		}
	}
	exp, err1 := strconv.ParseInt(f[1], 10, 64)
	polls, err2 := strconv.ParseInt(f[2], 10, 64)
	n, err3 := strconv.Atoi(f[6])
	if err1 != nil || err2 != nil || err3 != nil || n < 0 || n > len(rest) || f[0] == "" {
		return nil, fmt.Errorf("redis: %s: malformed session %s", op, id)
	}
	q := &store.QRSession{ID: id, State: f[0], ExpiresAt: time.UnixMilli(exp).UTC(), Polls: polls, PollHash: f[3],
		AppSession: f[4], TicketHash: f[5], Data: []byte(rest[:n])}
	if len(rest) > n {
		q.AppData = []byte(rest[n:])
	}
	return q, nil
}

// CreateQR stores a new session until q.ExpiresAt + keep (SET NX).
func (s *Store) CreateQR(ctx context.Context, q *store.QRSession, keep time.Duration) error {
	const op = "create QR session"
	if err := required(op, "ID", q.ID, "state", q.State, "poll hash", q.PollHash); err != nil {
		return err
	}
	if err := qrField(op, "state", q.State, "poll hash", q.PollHash, "app session", q.AppSession, "ticket hash", q.TicketHash); err != nil {
		return err
	}
	ttl := time.Until(q.ExpiresAt) + keep
	if err := lifetime(op, ttl); err != nil {
		return err
	}
	ok, err := s.c.SetNX(ctx, s.k.qr(q.ID), encodeQR(q), px(ttl)).Result()
	if err != nil {
		return wrap(op, err)
	}
	if !ok {
		return fmt.Errorf("redis: %s: %w", op, store.ErrConflict)
	}
	return nil
}

// GetQR returns the session.
func (s *Store) GetQR(ctx context.Context, id string) (*store.QRSession, error) {
	const op = "get QR session"
	v, err := s.c.Get(ctx, s.k.qr(id)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	return decodeQR(op, id, v)
}

// PollQR counts a poll of the poll secret's holder.
func (s *Store) PollQR(ctx context.Context, id, pollHash string) (*store.QRSession, error) {
	const op = "poll QR session"
	if pollHash == "" {
		return nil, fmt.Errorf("redis: %s: %w", op, store.ErrConflict)
	}
	res, err := pollQR.Run(ctx, s.c, []string{s.k.qr(id)}, pollHash).StringSlice()
	if err != nil {
		return nil, wrap(op, err)
	}
	return qrReply(op, id, res)
}

// UpdateQR applies u in one script if its conditions hold.
func (s *Store) UpdateQR(ctx context.Context, id string, u store.QRUpdate) (*store.QRSession, error) {
	const op = "update QR session"
	for _, st := range u.From {
		if st == "" || strings.ContainsAny(st, "| ") {
			return nil, fmt.Errorf("redis: %s: bad state %q in From", op, st)
		}
	}
	if err := qrField(op, "state", u.To, "app session", u.AppSession, "new ticket hash", u.NewTicketHash); err != nil {
		return nil, err
	}
	appSet := "0"
	if u.AppData != nil {
		appSet = "1"
	}
	res, err := updateQR.Run(ctx, s.c, []string{s.k.qr(id)}, time.Now().UnixMilli(), strings.Join(u.From, " "), u.To,
		u.AppSession, u.PollHash, u.TicketHash, u.NewTicketHash, u.AppData, appSet, s.k.qrEvents(), id).StringSlice()
	if err != nil {
		return nil, wrap(op, err)
	}
	return qrReply(op, id, res)
}

// AddQRToAuthRequest counts a QR code on the auth request's own hash.
func (s *Store) AddQRToAuthRequest(ctx context.Context, authRequestID string) (int64, error) {
	const op = "count QR codes of an auth request"
	if err := required(op, "auth request ID", authRequestID); err != nil {
		return 0, err
	}
	n, err := addQRToAuthRequest.Run(ctx, s.c, []string{s.k.authRequest(authRequestID)}).Int64()
	if err != nil {
		return 0, wrap(op, err)
	}
	if n < 0 {
		return 0, fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	}
	return n, nil
}

// qrReply decodes {status, record}.
func qrReply(op, id string, res []string) (*store.QRSession, error) {
	if len(res) != 2 {
		return nil, fmt.Errorf("redis: %s: unexpected reply %q", op, res)
	}
	switch res[0] {
	case "notfound":
		return nil, fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	case "conflict":
		if res[1] == "" {
			return nil, fmt.Errorf("redis: %s: %w", op, store.ErrConflict)
		}
		q, err := decodeQR(op, id, res[1])
		if err != nil {
			return nil, err
		}
		return q, fmt.Errorf("redis: %s: %w", op, store.ErrConflict)
	case "ok":
		return decodeQR(op, id, res[1])
	}
	return nil, fmt.Errorf("redis: %s: unexpected reply %q", op, res[0])
}
