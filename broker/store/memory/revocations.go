package memory

import (
	"context"
	"time"
)

// subjectMark revokes a subject's tokens issued before `before` (kept at
// millisecond precision, as in Redis) until `until`.
type subjectMark struct {
	beforeMs int64
	until    time.Time
}

// RevokeAccessToken denies the token with this jti until `until`; a time in
// the past has nothing left to deny.
func (s *Store) RevokeAccessToken(ctx context.Context, jti string, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	extend(s.jtis, jti, until)
	return nil
}

// RevokeGrant denies the grant's access tokens until `until` and revokes the
// refresh family of the same ID (whatever `until` is) in one step.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	extend(s.grants, grantID, until)
	if f, ok := s.family(grantID, now); ok {
		// The grant's mark answers for the family while it lives (as in
		// the Redis store): the family itself is dropped.
		if mark, ok := s.grants[grantID]; ok && live(mark, now) {
			delete(s.families, grantID)
		} else {
			f.revoke()
		}
	}
	return nil
}

// RevokeSubject denies the subject's tokens issued before `before`. A later
// call never narrows an earlier one: the latest `before` and `until` win.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before, until time.Time) error {
	now := time.Now()
	if !live(until, now) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := subjectMark{beforeMs: before.UnixMilli(), until: until}
	if old, ok := s.subjects[subject]; ok && live(old.until, now) {
		m.beforeMs = max(m.beforeMs, old.beforeMs)
		if old.until.After(m.until) {
			m.until = old.until
		}
	}
	s.subjects[subject] = m
	return nil
}

// AccessTokenRevoked checks the jti, grant and subject denylists.
func (s *Store) AccessTokenRevoked(ctx context.Context, jti, grantID, subject string, issuedAt time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if until, ok := s.jtis[jti]; ok && jti != "" && live(until, now) {
		return true, nil
	}
	if until, ok := s.grants[grantID]; ok && grantID != "" && live(until, now) {
		return true, nil
	}
	if m, ok := s.subjects[subject]; ok && subject != "" && live(m.until, now) && issuedAt.UnixMilli() < m.beforeMs {
		return true, nil
	}
	return false, nil
}

// extend records id in a denylist until `until`, never shortening an entry.
func extend(m map[string]time.Time, id string, until time.Time) {
	if !live(until, time.Now()) {
		return
	}
	if old, ok := m[id]; ok && old.After(until) {
		return
	}
	m[id] = until
}
