package storetest

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var refreshTests = []test{
	{"CreateGet", testRefreshCreateGet},
	{"CreateExistingFamilyConflicts", testRefreshCreateExisting},
	{"RotateMakesNewMemberCurrent", testRefreshRotate},
	{"ReuseRevokesFamily", testRefreshReuseRevokesFamily},
	{"RotatingFormerMemberRevokesFamily", testRefreshRotateFormerMember},
	{"FormerGenerationIsReuseWithoutItsRecord", testRefreshFormerGeneration},
	{"UnknownHashDoesNotRevoke", testRefreshUnknownHash},
	{"UnknownFamilyIsNotFound", testRefreshUnknownFamily},
	{"RevokeFamily", testRefreshRevokeFamily},
	{"ConcurrentRotationsOneWins", testRefreshConcurrentRotations},
	{"RotationNeedsALaterGeneration", testRefreshStaleGeneration},
	{"RotateRefusesRevokedSubject", testRefreshRotateRevokedSubject},
}

func newRefreshToken(family string) *store.RefreshToken {
	n := now()
	return &store.RefreshToken{
		FamilyID:   family,
		ClientID:   "rp-web",
		Subject:    newID("sub"),
		Scopes:     []string{"openid", "offline_access"},
		Audience:   []string{"rp-web"},
		AMR:        []string{"hwk"},
		ACR:        "urn:gjjid:acr:3",
		AuthTime:   n.Add(-time.Minute),
		IDP:        "x509",
		UnitID:     "91110000000000000X",
		SessionID:  newID("sid"),
		IssuedAt:   n,
		ExpiresAt:  n.Add(time.Hour),
		Generation: 1,
	}
}

// nextRefreshToken is what a rotation of rt stores: the next generation.
func nextRefreshToken(rt *store.RefreshToken) *store.RefreshToken {
	n := *rt
	n.IssuedAt = rt.IssuedAt.Add(time.Second)
	n.ExpiresAt = rt.ExpiresAt.Add(time.Second)
	n.Generation = rt.Generation + 1
	return &n
}

// tok is the token of hash h carrying member rt's generation.
func tok(h string, rt *store.RefreshToken) store.PresentedRefresh {
	return store.PresentedRefresh{Hash: h, Generation: rt.Generation}
}

// newFamily starts a family and returns its ID, first hash and member.
func newFamily(t *testing.T, s store.Store) (string, string, *store.RefreshToken) {
	t.Helper()
	f, h := newID("family"), newID("rt")
	rt := newRefreshToken(f)
	must(t, "create refresh token", s.CreateRefreshToken(t.Context(), h, rt))
	return f, h, rt
}

func testRefreshCreateGet(t *testing.T, s store.Store) {
	f, h, rt := newFamily(t, s)
	got, err := s.GetRefreshToken(t.Context(), f, tok(h, rt))
	must(t, "get", err)
	sameJSON(t, "get", got, rt)
}

func testRefreshCreateExisting(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h, rt := newFamily(t, s)
	wantErr(t, "create again", s.CreateRefreshToken(ctx, newID("rt"), newRefreshToken(f)), store.ErrConflict)
	got, err := s.GetRefreshToken(ctx, f, tok(h, rt))
	must(t, "get first member", err)
	sameJSON(t, "first member", got, rt)
}

func testRefreshRotate(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h1, rt := newFamily(t, s)
	h2, next := newID("rt"), nextRefreshToken(rt)
	must(t, "rotate", s.RotateRefreshToken(ctx, f, tok(h1, rt), h2, next))
	got, err := s.GetRefreshToken(ctx, f, tok(h2, next))
	must(t, "get new member", err)
	sameJSON(t, "new member", got, next)

	h3, third := newID("rt"), nextRefreshToken(next)
	must(t, "rotate again", s.RotateRefreshToken(ctx, f, tok(h2, next), h3, third))
	got, err = s.GetRefreshToken(ctx, f, tok(h3, third))
	must(t, "get third member", err)
	sameJSON(t, "third member", got, third)
}

// RFC 9700 §4.14.2: a refresh token presented after it was rotated means it
// leaked; the whole family is revoked, including the current member.
func testRefreshReuseRevokesFamily(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h1, rt := newFamily(t, s)
	h2, next := newID("rt"), nextRefreshToken(rt)
	must(t, "rotate", s.RotateRefreshToken(ctx, f, tok(h1, rt), h2, next))

	_, err := s.GetRefreshToken(ctx, f, tok(h1, rt))
	wantErr(t, "get rotated member", err, store.ErrRefreshReused)
	_, err = s.GetRefreshToken(ctx, f, tok(h2, next))
	wantErr(t, "get current member after reuse", err, store.ErrRevoked)
	err = s.RotateRefreshToken(ctx, f, tok(h2, next), newID("rt"), nextRefreshToken(next))
	wantErr(t, "rotate current member after reuse", err, store.ErrRevoked)
}

func testRefreshRotateFormerMember(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h1, rt := newFamily(t, s)
	h2, next := newID("rt"), nextRefreshToken(rt)
	must(t, "rotate", s.RotateRefreshToken(ctx, f, tok(h1, rt), h2, next))
	err := s.RotateRefreshToken(ctx, f, tok(h1, rt), newID("rt"), nextRefreshToken(next))
	wantErr(t, "rotate rotated member", err, store.ErrRefreshReused)
	_, err = s.GetRefreshToken(ctx, f, tok(h2, next))
	wantErr(t, "get current member after reuse", err, store.ErrRevoked)
}

// A store keeps no record of former members: the generation a token
// carries (which the broker's MAC vouches for) is what marks it as one.
// So any hash of an earlier generation is reuse, however many rotations
// ago, while the current generation with another hash is not.
func testRefreshFormerGeneration(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h, rt := newFamily(t, s)
	for range 5 {
		h2, next := newID("rt"), nextRefreshToken(rt)
		must(t, "rotate", s.RotateRefreshToken(ctx, f, tok(h, rt), h2, next))
		h, rt = h2, next
	}
	_, err := s.GetRefreshToken(ctx, f, store.PresentedRefresh{Hash: newID("rt"), Generation: rt.Generation})
	wantErr(t, "another hash of the current generation", err, store.ErrNotFound)
	_, err = s.GetRefreshToken(ctx, f, tok(h, rt))
	must(t, "current member after a token of its generation", err)

	_, err = s.GetRefreshToken(ctx, f, store.PresentedRefresh{Hash: newID("rt"), Generation: 2})
	wantErr(t, "a token of generation 2 after six", err, store.ErrRefreshReused)
	_, err = s.GetRefreshToken(ctx, f, tok(h, rt))
	wantErr(t, "current member after reuse", err, store.ErrRevoked)
}

// A hash the family never had is a guess or garbage, not a leaked token: it
// must not let anyone revoke somebody else's family.
func testRefreshUnknownHash(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h, rt := newFamily(t, s)
	for _, gen := range []uint64{0, rt.Generation, rt.Generation + 1} {
		unknown := store.PresentedRefresh{Hash: newID("rt"), Generation: gen}
		_, err := s.GetRefreshToken(ctx, f, unknown)
		wantErr(t, "get unknown hash", err, store.ErrNotFound)
		err = s.RotateRefreshToken(ctx, f, unknown, newID("rt"), nextRefreshToken(rt))
		wantErr(t, "rotate unknown hash", err, store.ErrNotFound)
	}
	got, err := s.GetRefreshToken(ctx, f, tok(h, rt))
	must(t, "get current member", err)
	sameJSON(t, "current member", got, rt)
}

func testRefreshUnknownFamily(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h := newID("family"), newID("rt")
	rt := newRefreshToken(f)
	_, err := s.GetRefreshToken(ctx, f, tok(h, rt))
	wantErr(t, "get", err, store.ErrNotFound)
	err = s.RotateRefreshToken(ctx, f, tok(h, rt), newID("rt"), nextRefreshToken(rt))
	wantErr(t, "rotate", err, store.ErrNotFound)
	must(t, "revoke unknown family", s.RevokeRefreshFamily(ctx, f))
	// Revoking an unknown family leaves nothing behind.
	must(t, "create after revoking unknown family", s.CreateRefreshToken(ctx, h, newRefreshToken(f)))
}

func testRefreshRevokeFamily(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h, rt := newFamily(t, s)
	must(t, "revoke", s.RevokeRefreshFamily(ctx, f))
	_, err := s.GetRefreshToken(ctx, f, tok(h, rt))
	wantErr(t, "get", err, store.ErrRevoked)
	err = s.RotateRefreshToken(ctx, f, tok(h, rt), newID("rt"), nextRefreshToken(rt))
	wantErr(t, "rotate", err, store.ErrRevoked)
	must(t, "revoke again", s.RevokeRefreshFamily(ctx, f))
	wantErr(t, "create revoked family", s.CreateRefreshToken(ctx, newID("rt"), newRefreshToken(f)), store.ErrConflict)
}

// Two clients racing with the same refresh token is reuse too: exactly one
// rotation wins and the losers' attempts revoke the family.
func testRefreshConcurrentRotations(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h, rt := newFamily(t, s)
	hashes := make([]string, contenders)
	for i := range hashes {
		hashes[i] = newID("rt")
	}
	next := nextRefreshToken(rt)
	errs := concurrently(contenders, func(i int) error {
		return s.RotateRefreshToken(ctx, f, tok(h, rt), hashes[i], next)
	})
	w := oneWinner(t, "rotate", errs, store.ErrRefreshReused, store.ErrRevoked)
	_, err := s.GetRefreshToken(ctx, f, tok(hashes[w], next))
	wantErr(t, "get the winner's member", err, store.ErrRevoked)
}

// A rotation must reach a generation above the current one: otherwise two
// members would share a generation and the earlier could never be told
// apart from an unknown token. Refused, it changes nothing.
func testRefreshStaleGeneration(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h, rt := newFamily(t, s)
	err := s.RotateRefreshToken(ctx, f, tok(h, rt), newID("rt"), rt)
	wantErr(t, "rotate to the same generation", err, store.ErrConflict)
	got, err := s.GetRefreshToken(ctx, f, tok(h, rt))
	must(t, "current member after a refused rotation", err)
	sameJSON(t, "current member", got, rt)
}

// A subject revoked after the family's login cannot rotate: the family and
// its grant die. A family whose login came after the mark rotates.
func testRefreshRotateRevokedSubject(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, h, rt := newFamily(t, s)
	n := now()
	must(t, "revoke subject", s.RevokeSubject(ctx, rt.Subject, n, n.Add(time.Hour)))
	err := s.RotateRefreshToken(ctx, f, tok(h, rt), newID("rt"), nextRefreshToken(rt))
	wantErr(t, "rotate", err, store.ErrRevoked)
	_, err = s.GetRefreshToken(ctx, f, tok(h, rt))
	wantErr(t, "get after refused rotation", err, store.ErrRevoked)
	revoked, err := s.AccessTokenRevoked(ctx, newID("jti"), f, "", n.Add(time.Minute))
	must(t, "check grant", err)
	if !revoked {
		t.Error("the grant of a family refused for its revoked subject is not revoked")
	}

	later, hl := newID("family"), newID("rt")
	rl := newRefreshToken(later)
	rl.Subject = rt.Subject
	rl.AuthTime = n.Add(time.Second)
	must(t, "create later family", s.CreateRefreshToken(ctx, hl, rl))
	must(t, "rotate later family", s.RotateRefreshToken(ctx, later, tok(hl, rl), newID("rt"), nextRefreshToken(rl)))
}
