package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// logoutState holds the logout participants and the back-channel queue
// (guarded by Store.mu like everything else).
type logoutState struct {
	// subjects: subject → participant → expiry.
	subjects map[string]map[store.LogoutParticipant]time.Time
	// sessions: session ID → subject.
	sessions map[string]sessionSubject
	queue    map[string]queuedLogout // delivery ID → item
	done     map[string]time.Time    // finished delivery ID → forgotten at
}

type sessionSubject struct {
	subject string
	expires time.Time
}

type queuedLogout struct {
	data []byte // JSON store.LogoutDelivery
	due  time.Time
}

func (l *logoutState) init() {
	if l.subjects == nil {
		l.subjects = map[string]map[store.LogoutParticipant]time.Time{}
		l.sessions = map[string]sessionSubject{}
		l.queue = map[string]queuedLogout{}
		l.done = map[string]time.Time{}
	}
}

// AddLogoutParticipant records p for at least ttl.
func (s *Store) AddLogoutParticipant(ctx context.Context, p store.LogoutParticipant, ttl time.Duration) error {
	const op = "add logout participant"
	if err := expiring(op, ttl, "subject", p.Subject, "client ID", p.ClientID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logout.init()
	exp := time.Now().Add(ttl)
	m := s.logout.subjects[p.Subject]
	if m == nil {
		m = map[store.LogoutParticipant]time.Time{}
		s.logout.subjects[p.Subject] = m
	}
	m[p] = later(m[p], exp)
	if p.SessionID != "" {
		ss := s.logout.sessions[p.SessionID]
		s.logout.sessions[p.SessionID] = sessionSubject{subject: p.Subject, expires: later(ss.expires, exp)}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TakeSessionParticipants returns and forgets the session's participants.
func (s *Store) TakeSessionParticipants(ctx context.Context, sessionID string) ([]store.LogoutParticipant, error) {
	if err := required("take session participants", "session ID", sessionID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logout.init()
	ss, ok := s.logout.sessions[sessionID]
	delete(s.logout.sessions, sessionID)
	if !ok || !live(ss.expires, time.Now()) {
		return nil, nil
	}
	return s.takeParticipants(ss.subject, func(p store.LogoutParticipant) bool { return p.SessionID == sessionID }), nil
}

// TakeSubjectParticipants returns and forgets the subject's participants
// (of unitID only, when given).
func (s *Store) TakeSubjectParticipants(ctx context.Context, subject, unitID string) ([]store.LogoutParticipant, error) {
	if err := required("take subject participants", "subject", subject); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logout.init()
	return s.takeParticipants(subject, func(p store.LogoutParticipant) bool { return unitID == "" || p.UnitID == unitID }), nil
}

// takeParticipants removes and returns the live participants of subject
// that match, in a stable order. Callers hold s.mu.
func (s *Store) takeParticipants(subject string, match func(store.LogoutParticipant) bool) []store.LogoutParticipant {
	now := time.Now()
	var out []store.LogoutParticipant
	m := s.logout.subjects[subject]
	for p, exp := range m {
		if !match(p) {
			continue
		}
		delete(m, p)
		if live(exp, now) {
			out = append(out, p)
		}
	}
	if len(m) == 0 {
		delete(s.logout.subjects, subject)
	}
	slices.SortFunc(out, func(a, b store.LogoutParticipant) int {
		return strings.Compare(a.SessionID+"\x00"+a.ClientID+"\x00"+a.UnitID, b.SessionID+"\x00"+b.ClientID+"\x00"+b.UnitID)
	})
	return out
}

// EnqueueLogouts adds the deliveries not queued or recently finished.
func (s *Store) EnqueueLogouts(ctx context.Context, ds []*store.LogoutDelivery, due time.Time) error {
	const op = "enqueue logouts"
	enc := make([][]byte, len(ds))
	for i, d := range ds {
		b, err := encodeRecord(op, d, "delivery ID", d.ID, "client ID", d.ClientID)
		if err != nil {
			return err
		}
		enc[i] = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logout.init()
	now := time.Now()
	for i, d := range ds {
		if _, queued := s.logout.queue[d.ID]; queued {
			continue
		}
		if until, ok := s.logout.done[d.ID]; ok && live(until, now) {
			continue
		}
		s.logout.queue[d.ID] = queuedLogout{data: enc[i], due: due}
	}
	return nil
}

// ClaimLogouts leases up to limit due deliveries, earliest first.
func (s *Store) ClaimLogouts(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.LogoutDelivery, error) {
	const op = "claim logouts"
	if err := lifetime(op, lease); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logout.init()
	var ids []string
	for id, q := range s.logout.queue {
		if !q.due.After(now) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int {
		if c := s.logout.queue[a].due.Compare(s.logout.queue[b].due); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]*store.LogoutDelivery, 0, len(ids))
	for _, id := range ids {
		q := s.logout.queue[id]
		d, err := decode[store.LogoutDelivery](op, q.data)
		if err != nil {
			return nil, err
		}
		q.due = now.Add(lease)
		s.logout.queue[id] = q
		out = append(out, d)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logout.init()
	if _, ok := s.logout.queue[d.ID]; !ok {
		return fmt.Errorf("memory: %s %q: %w", op, d.ID, store.ErrNotFound)
	}
	s.logout.queue[d.ID] = queuedLogout{data: b, due: due}
	return nil
}

// FinishLogout removes the delivery and remembers its ID for keep.
func (s *Store) FinishLogout(ctx context.Context, id string, keep time.Duration) error {
	const op = "finish logout"
	if err := expiring(op, keep, "delivery ID", id); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logout.init()
	delete(s.logout.queue, id)
	s.logout.done[id] = time.Now().Add(keep)
	return nil
}

// PendingLogouts counts the queued deliveries.
func (s *Store) PendingLogouts(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.logout.queue)), nil
}

// sweepLogouts drops expired participants and finished-ID marks. Callers
// hold s.mu.
func (s *Store) sweepLogouts(now time.Time) {
	for sub, m := range s.logout.subjects {
		sweepParticipants(m, now)
		if len(m) == 0 {
			delete(s.logout.subjects, sub)
		}
	}
	for id, ss := range s.logout.sessions {
		if !live(ss.expires, now) {
			delete(s.logout.sessions, id)
		}
	}
	for id, until := range s.logout.done {
		if !live(until, now) {
			delete(s.logout.done, id)
		}
	}
}

func sweepParticipants(m map[store.LogoutParticipant]time.Time, now time.Time) {
	for k, exp := range m {
		if !live(exp, now) {
			delete(m, k)
		}
	}
}
