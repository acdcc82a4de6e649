package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// family is a refresh-token family: its current member (hash, generation,
// data) and whether it was revoked. Former members are not kept: a token
// presented with a generation below gen is one (RFC 9700 §4.14.2), which
// the caller's MAC over the generation vouches for. A family revoked
// through its grant is dropped (the grant's mark answers for it while the
// grant's tokens live); revoked otherwise, it drops its member data and
// stays as a mark until it would have expired.
type family struct {
	cur     string
	gen     uint64
	data    []byte
	revoked bool
	expires time.Time // the current member's expiry
}

// CreateRefreshToken starts family rt.FamilyID. ErrConflict when the family
// exists; ErrRevoked when its grant was revoked before it was created (a
// replayed code revoked the grant while the first exchange was running).
func (s *Store) CreateRefreshToken(ctx context.Context, hash string, rt *store.RefreshToken) error {
	const op = "create refresh token"
	if err := required(op, "family ID", rt.FamilyID, "hash", hash); err != nil {
		return err
	}
	now := time.Now()
	if err := lifetime(op, rt.ExpiresAt.Sub(now)); err != nil {
		return err
	}
	b, err := encode(op, rt)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, ok := s.grants[rt.FamilyID]; ok && live(until, now) {
		return fmt.Errorf("memory: %s: grant %q: %w", op, rt.FamilyID, store.ErrRevoked)
	}
	if _, ok := s.family(rt.FamilyID, now); ok {
		return fmt.Errorf("memory: %s: family %q exists: %w", op, rt.FamilyID, store.ErrConflict)
	}
	s.families[rt.FamilyID] = &family{cur: hash, gen: rt.Generation, data: b, expires: rt.ExpiresAt}
	return nil
}

// GetRefreshToken returns the family's current member; presenting a former
// member revokes the family.
func (s *Store) GetRefreshToken(ctx context.Context, familyID string, tok store.PresentedRefresh) (*store.RefreshToken, error) {
	const op = "get refresh token"
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.current(op, familyID, tok, time.Now())
	if err != nil {
		return nil, err
	}
	return decode[store.RefreshToken](op, f.data)
}

// RotateRefreshToken makes newHash the current member if old still is.
func (s *Store) RotateRefreshToken(ctx context.Context, familyID string, old store.PresentedRefresh, newHash string, next *store.RefreshToken) error {
	const op = "rotate refresh token"
	if err := required(op, "family ID", familyID, "new hash", newHash); err != nil {
		return err
	}
	now := time.Now()
	if err := lifetime(op, next.ExpiresAt.Sub(now)); err != nil {
		return err
	}
	n := *next
	n.FamilyID = familyID
	b, err := encode(op, &n)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.current(op, familyID, old, now)
	if err != nil {
		return err
	}
	if next.Generation <= f.gen {
		return fmt.Errorf("memory: %s: family %q: generation %d is not above %d: %w", op, familyID, next.Generation, f.gen, store.ErrConflict)
	}
	if m, ok := s.subjects[next.Subject]; ok && live(m.until, now) && next.AuthTime.UnixMilli() < m.beforeMs {
		f.revoke()
		extend(s.grants, familyID, next.ExpiresAt)
		return fmt.Errorf("memory: %s: subject of family %q revoked: %w", op, familyID, store.ErrRevoked)
	}
	f.cur, f.gen, f.data, f.expires = newHash, next.Generation, b, next.ExpiresAt
	return nil
}

// RevokeRefreshFamily revokes the family if it exists.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.family(familyID, time.Now()); ok {
		f.revoke()
	}
	return nil
}

// revoke leaves the mark and drops the member.
func (f *family) revoke() { f.revoked, f.cur, f.data = true, "", nil }

// family returns the live family. s.mu must be held.
func (s *Store) family(id string, now time.Time) (*family, bool) {
	f, ok := s.families[id]
	if !ok || !live(f.expires, now) {
		return nil, false
	}
	return f, true
}

// current checks that tok is the family's current member, revoking the
// family when tok is a former one. s.mu must be held.
func (s *Store) current(op, familyID string, tok store.PresentedRefresh, now time.Time) (*family, error) {
	f, ok := s.family(familyID, now)
	switch {
	case !ok:
		if until, revoked := s.grants[familyID]; revoked && live(until, now) {
			return nil, fmt.Errorf("memory: %s: grant %q: %w", op, familyID, store.ErrRevoked)
		}
		return nil, fmt.Errorf("memory: %s: family %q: %w", op, familyID, store.ErrNotFound)
	case f.revoked:
		return nil, fmt.Errorf("memory: %s: family %q: %w", op, familyID, store.ErrRevoked)
	case f.cur == tok.Hash:
		return f, nil
	case tok.Generation > 0 && tok.Generation < f.gen:
		f.revoke()
		return nil, fmt.Errorf("memory: %s: family %q: %w", op, familyID, store.ErrRefreshReused)
	}
	return nil, fmt.Errorf("memory: %s: family %q: member: %w", op, familyID, store.ErrNotFound)
}
