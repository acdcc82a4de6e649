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

// linkMember names a link in the indexes; \x00 sorts before any character
// of a connector ID, so members order by connector, then subject.
func linkMember(connector, subject string) string { return connector + "\x00" + subject }

// addLink stores a link and indexes it unless (connector, subject) is linked.
//
//	KEYS   the link, the index of all links, then the principal indexes
//	ARGV   link JSON, member
var addLink = goredis.NewScript(`
if redis.call('SETNX', KEYS[1], ARGV[1]) == 0 then return 0 end
for i = 2, #KEYS do redis.call('ZADD', KEYS[i], 0, ARGV[2]) end
return 1
`)

// deleteLink removes a link from its key and every index.
var deleteLink = goredis.NewScript(`
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
for i = 2, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`)

func (s *Store) linkIndexes(l *store.Link) []string {
	ks := []string{s.k.links()}
	for _, id := range []string{l.PersonID, l.UnitID} {
		if id != "" {
			ks = append(ks, s.k.linksOf(id))
		}
	}
	return ks
}

// AddLink stores l; ErrConflict when (connector, subject) is linked.
func (s *Store) AddLink(ctx context.Context, l *store.Link) error {
	const op = "add link"
	b, err := encodeRecord(op, l, "connector", l.Connector, "subject", l.Subject, "kind", l.Kind)
	if err != nil {
		return err
	}
	m := linkMember(l.Connector, l.Subject)
	n, err := addLink.Run(ctx, s.c, append([]string{s.k.link(m)}, s.linkIndexes(l)...), b, m).Int()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: %s %s: already linked: %w", op, l.Connector, store.ErrConflict)
	}
	return nil
}

// GetLink returns the link of (connector, subject).
func (s *Store) GetLink(ctx context.Context, connector, subject string) (*store.Link, error) {
	const op = "get link"
	raw, err := s.c.Get(ctx, s.k.link(linkMember(connector, subject))).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	return decode[store.Link](op, raw)
}

// DeleteLink removes the link; ErrNotFound when there is none. The link
// is read first to know its principal indexes; a link is never changed in
// place, so what was read is what the script deletes.
func (s *Store) DeleteLink(ctx context.Context, connector, subject string) error {
	const op = "delete link"
	l, err := s.GetLink(ctx, connector, subject)
	if err != nil {
		return fmt.Errorf("redis: %s: %w", op, err)
	}
	m := linkMember(connector, subject)
	n, err := deleteLink.Run(ctx, s.c, append([]string{s.k.link(m)}, s.linkIndexes(l)...), m).Int()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: %s %s: %w", op, connector, store.ErrNotFound)
	}
	return nil
}

// ListLinks pages every link in (connector, subject) order.
func (s *Store) ListLinks(ctx context.Context, cursor string, limit int) ([]*store.Link, string, error) {
	return getPage[store.Link](ctx, s, "list links", s.k.links(), cursor, limit, s.k.link)
}

// LinksOf returns the links to a person or unit.
func (s *Store) LinksOf(ctx context.Context, principalID string) ([]*store.Link, error) {
	if principalID == "" {
		return []*store.Link{}, nil
	}
	var out []*store.Link
	cursor := ""
	for {
		page, next, err := getPage[store.Link](ctx, s, "links of", s.k.linksOf(principalID), cursor, defaultPageSize, s.k.link)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			if out == nil {
				out = []*store.Link{}
			}
			return out, nil
		}
		cursor = next
	}
}

// AppendAudit adds the event to the stream (XADD) and trims entries older
// than retention by MINID, approximately ("~"): Redis trims whole
// macro-nodes, so a few records may outlive retention a little, never the
// other way round.
func (s *Store) AppendAudit(ctx context.Context, data []byte, retention time.Duration) (string, error) {
	const op = "append audit"
	if err := lifetime(op, retention); err != nil {
		return "", err
	}
	minID := strconv.FormatInt(time.Now().Add(-retention).UnixMilli(), 10)
	id, err := s.c.XAdd(ctx, &goredis.XAddArgs{
		Stream: s.k.audit(), MinID: minID, Approx: true, ID: "*", Values: []string{"d", string(data)},
	}).Result()
	if err != nil {
		return "", wrap(op, err)
	}
	return id, nil
}

// ReadAudit reads the stream with XRANGE.
func (s *Store) ReadAudit(ctx context.Context, since time.Time, after string, until time.Time, limit int) ([]store.AuditRecord, error) {
	const op = "read audit"
	if limit <= 0 {
		limit = defaultPageSize
	}
	start := "-"
	switch {
	case after != "":
		if !validStreamID(after) {
			return nil, fmt.Errorf("redis: %s: cursor %q is not a stream ID", op, after)
		}
		start = "(" + after
	case !since.IsZero():
		start = strconv.FormatInt(since.UnixMilli(), 10)
	}
	end := "+"
	if !until.IsZero() {
		end = strconv.FormatInt(until.UnixMilli(), 10)
	}
	msgs, err := s.c.XRangeN(ctx, s.k.audit(), start, end, int64(limit)).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	out := make([]store.AuditRecord, 0, len(msgs))
	for _, m := range msgs {
		d, _ := m.Values["d"].(string)
		out = append(out, store.AuditRecord{ID: m.ID, Data: []byte(d)})
	}
	return out, nil
}

func validStreamID(id string) bool {
	ms, seq, ok := strings.Cut(id, "-")
	if !ok {
		return false
	}
	_, err1 := strconv.ParseUint(ms, 10, 64)
	_, err2 := strconv.ParseUint(seq, 10, 64)
	return err1 == nil && err2 == nil
}
