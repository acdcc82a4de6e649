package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// linkKey orders links by connector, then subject; \x00 sorts before any
// character a connector ID may hold.
func linkKey(connector, subject string) string { return connector + "\x00" + subject }

// AddLink stores the link unless (connector, subject) is linked.
func (s *Store) AddLink(ctx context.Context, l *store.Link) error {
	const op = "add link"
	b, err := encodeRecord(op, l, "connector", l.Connector, "subject", l.Subject, "kind", l.Kind)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := linkKey(l.Connector, l.Subject)
	if _, ok := s.links[k]; ok {
		return fmt.Errorf("memory: %s %s: already linked: %w", op, l.Connector, store.ErrConflict)
	}
	s.links[k] = b
	return nil
}

// GetLink returns the link of (connector, subject).
func (s *Store) GetLink(ctx context.Context, connector, subject string) (*store.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.links[linkKey(connector, subject)]
	if !ok {
		return nil, notFound("get link", connector)
	}
	return decode[store.Link]("get link", b)
}

// DeleteLink removes the link of (connector, subject).
func (s *Store) DeleteLink(ctx context.Context, connector, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := linkKey(connector, subject)
	if _, ok := s.links[k]; !ok {
		return notFound("delete link", connector)
	}
	delete(s.links, k)
	return nil
}

// ListLinks pages every link in (connector, subject) order.
func (s *Store) ListLinks(ctx context.Context, cursor string, limit int) ([]*store.Link, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return decodePage[store.Link]("list links", s.links, cursor, limit)
}

// LinksOf returns the links to a person or unit.
func (s *Store) LinksOf(ctx context.Context, principalID string) ([]*store.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.links {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare)
	out := []*store.Link{}
	for _, k := range keys {
		l, err := decode[store.Link]("links of", s.links[k])
		if err != nil {
			return nil, err
		}
		if principalID != "" && (l.PersonID == principalID || l.UnitID == principalID) {
			out = append(out, l)
		}
	}
	return out, nil
}

// auditEntry is one appended audit record.
type auditEntry struct {
	ms, seq int64
	data    []byte
}

func (e auditEntry) id() string { return fmt.Sprintf("%d-%d", e.ms, e.seq) }

// AppendAudit appends data with a stream-style ID and drops records older
// than retention.
func (s *Store) AppendAudit(ctx context.Context, data []byte, retention time.Duration) (string, error) {
	if err := lifetime("append audit", retention); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := time.Now().UnixMilli()
	e := auditEntry{ms: ms, data: slices.Clone(data)}
	if n := len(s.audit); n > 0 {
		last := s.audit[n-1]
		if last.ms >= ms { // IDs only grow, as in a Redis stream
			e.ms, e.seq = last.ms, last.seq+1
		}
	}
	s.audit = append(s.audit, e)
	cut := ms - retention.Milliseconds()
	i := 0
	for i < len(s.audit) && s.audit[i].ms < cut {
		i++
	}
	s.audit = s.audit[i:]
	return e.id(), nil
}

// ReadAudit returns records after `after` (or from since), up to until.
func (s *Store) ReadAudit(ctx context.Context, since time.Time, after string, until time.Time, limit int) ([]store.AuditRecord, error) {
	if limit <= 0 {
		limit = defaultPageSize
	}
	var afterMS, afterSeq int64 = since.UnixMilli() - 1, 1<<63 - 1
	if since.IsZero() {
		afterMS = -1
	}
	if after != "" {
		if _, err := fmt.Sscanf(after, "%d-%d", &afterMS, &afterSeq); err != nil {
			return nil, fmt.Errorf("memory: read audit: cursor %q: %w", after, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []store.AuditRecord{}
	for _, e := range s.audit {
		if e.ms < afterMS || (e.ms == afterMS && e.seq <= afterSeq) {
			continue
		}
		if !until.IsZero() && e.ms > until.UnixMilli() {
			break
		}
		out = append(out, store.AuditRecord{ID: e.id(), Data: slices.Clone(e.data)})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
