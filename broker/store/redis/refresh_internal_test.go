package redisstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// familyKeysIn lists the keys of family f under the store's prefix.
func familyKeysIn(t *testing.T, c *goredis.Client, s *Store, f string) []string {
	t.Helper()
	keys, err := c.Keys(t.Context(), s.k.family(f)+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestRotationKeepsOneRecord: however often a family rotates, it is one
// key of one member's size; no rotation leaves a key per former member,
// which is what made Redis grow with every refresh (RFC 9700 §4.14.2 reuse
// detection now rides on the generation). Revoked, it shrinks to a mark.
func TestRotationKeepsOneRecord(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Client(t)
	s := New(c, prefix)
	ctx := t.Context()
	rt := &store.RefreshToken{FamilyID: "f", ClientID: "rp", Subject: "p_subject", Scopes: []string{"openid", "offline_access"},
		AuthTime: time.Now(), ExpiresAt: time.Now().Add(time.Hour), Generation: 1}
	if err := s.CreateRefreshToken(ctx, "h000", rt); err != nil {
		t.Fatal(err)
	}
	first, err := c.MemoryUsage(ctx, s.k.family("f")).Result()
	if err != nil {
		t.Fatal(err)
	}
	prev := store.PresentedRefresh{Hash: "h000", Generation: 1}
	for i := range 100 {
		next := *rt
		next.Generation = prev.Generation + 1
		h := fmt.Sprintf("h%03d", i+1)
		if err := s.RotateRefreshToken(ctx, "f", prev, h, &next); err != nil {
			t.Fatalf("rotation %d: %v", i+1, err)
		}
		prev = store.PresentedRefresh{Hash: h, Generation: next.Generation}
	}
	if keys := familyKeysIn(t, c, s, "f"); len(keys) != 1 {
		t.Fatalf("after 100 rotations the family has keys %q, want its one record", keys)
	}
	// The generation grew from 1 to 101: two more digits, which may take
	// the value to the allocator's next size class (64 bytes up here).
	if n, _ := c.MemoryUsage(ctx, s.k.family("f")).Result(); n > first+64 {
		t.Fatalf("after 100 rotations the family takes %d bytes, at its start %d", n, first)
	}
	if _, err := s.GetRefreshToken(ctx, "f", store.PresentedRefresh{Hash: "h000", Generation: 1}); !errors.Is(err, store.ErrRefreshReused) {
		t.Fatalf("the first member after 100 rotations: %v, want reuse", err)
	}
	tomb, err := c.MemoryUsage(ctx, s.k.family("f")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl, _ := c.PTTL(ctx, s.k.family("f")).Result(); ttl <= 0 {
		t.Fatalf("revoked family's lifetime %v, want the family's", ttl)
	}
	if tomb >= first/2 {
		t.Fatalf("revoked family takes %d bytes, the live one %d: want a mark without the member", tomb, first)
	}
	t.Logf("family record %d bytes, revoked %d bytes (MEMORY USAGE)", first, tomb)
}

// legacyFamily writes a family as versions before generations did: cur,
// one key per member (former ones kept), and optionally a pend mark.
func legacyFamily(t *testing.T, s *Store, c *goredis.Client, f, cur string, members []string, pend string) *store.RefreshToken {
	t.Helper()
	ctx := t.Context()
	rt := &store.RefreshToken{FamilyID: f, ClientID: "rp", Subject: "p_legacy", AuthTime: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	b, err := json.Marshal(rt)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		c.Set(ctx, s.k.legacyMember(f, m), b, time.Hour)
	}
	c.Set(ctx, s.k.legacyCur(f), cur, time.Hour)
	if pend != "" {
		c.Set(ctx, s.k.legacyPending(f), pend, time.Hour)
	}
	return rt
}

// TestEarlierFormatFamilies: families and tokens from before generations
// (token <family>.<secret>, generation 0) keep working through a rolling
// upgrade and keep their reuse detection until they expire: their first
// rotation moves them to the one record and issues generation 1; their
// earlier members, kept as keys, still count as former members.
func TestEarlierFormatFamilies(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Client(t)
	s := New(c, prefix)
	ctx := t.Context()
	old := func(h string) store.PresentedRefresh { return store.PresentedRefresh{Hash: h} }
	get := func(f string, tok store.PresentedRefresh) error { _, err := s.GetRefreshToken(ctx, f, tok); return err }
	n1 := store.PresentedRefresh{Hash: "n1", Generation: 1}

	t.Run("rotates into the new format, earlier members stay former", func(t *testing.T) {
		rt := legacyFamily(t, s, c, "a", "h1", []string{"h0", "h1"}, "")
		got, err := s.GetRefreshToken(ctx, "a", old("h1"))
		if err != nil || got.Subject != rt.Subject || got.Generation != 0 {
			t.Fatalf("current member of the earlier format: %+v, %v", got, err)
		}
		next := *got
		next.Generation = 1
		if err := s.RotateRefreshToken(ctx, "a", old("h1"), "n1", &next); err != nil {
			t.Fatalf("first rotation: %v", err)
		}
		if err := get("a", n1); err != nil {
			t.Fatalf("the new-format member: %v", err)
		}
		for _, k := range []string{s.k.legacyCur("a"), s.k.legacyPending("a")} {
			if n, _ := c.Exists(ctx, k).Result(); n != 0 {
				t.Errorf("%s survived the move to the one record", k)
			}
		}
		if err := get("a", old("h0")); !errors.Is(err, store.ErrRefreshReused) {
			t.Fatalf("an earlier-format former member after the move: %v, want reuse", err)
		}
		if err := get("a", n1); !errors.Is(err, store.ErrRevoked) {
			t.Fatalf("the current member after reuse: %v, want revoked", err)
		}
	})

	t.Run("the member the move replaced is former", func(t *testing.T) {
		legacyFamily(t, s, c, "b", "h1", []string{"h1"}, "")
		next := &store.RefreshToken{ExpiresAt: time.Now().Add(time.Hour), Generation: 1}
		if err := s.RotateRefreshToken(ctx, "b", old("h1"), "n1", next); err != nil {
			t.Fatal(err)
		}
		if err := s.RotateRefreshToken(ctx, "b", old("h1"), "n2", &store.RefreshToken{ExpiresAt: time.Now().Add(time.Hour), Generation: 1}); !errors.Is(err, store.ErrRefreshReused) {
			t.Fatalf("rotating the replaced member again: %v, want reuse", err)
		}
	})

	t.Run("reuse before any move", func(t *testing.T) {
		legacyFamily(t, s, c, "c", "h1", []string{"h0", "h1"}, "")
		if err := get("c", old("h0")); !errors.Is(err, store.ErrRefreshReused) {
			t.Fatalf("a former member: %v, want reuse", err)
		}
		if err := get("c", old("h1")); !errors.Is(err, store.ErrRevoked) {
			t.Fatalf("the current member after reuse: %v, want revoked", err)
		}
		if err := get("c", old("unknown")); !errors.Is(err, store.ErrRevoked) {
			t.Fatalf("any member of a revoked family: %v, want revoked", err)
		}
	})

	t.Run("unknown tokens revoke nothing", func(t *testing.T) {
		legacyFamily(t, s, c, "d", "h1", []string{"h1"}, "")
		for _, tok := range []store.PresentedRefresh{old("guess"), {Hash: "guess", Generation: 1}} {
			if err := get("d", tok); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("%+v: %v, want not found", tok, err)
			}
		}
		if err := get("d", old("h1")); err != nil {
			t.Fatalf("the current member after unknown tokens: %v", err)
		}
	})

	t.Run("revocation", func(t *testing.T) {
		legacyFamily(t, s, c, "e", "h1", []string{"h1"}, "")
		if err := s.RevokeRefreshFamily(ctx, "e"); err != nil {
			t.Fatal(err)
		}
		if err := get("e", old("h1")); !errors.Is(err, store.ErrRevoked) {
			t.Fatalf("after RevokeRefreshFamily: %v, want revoked", err)
		}
		err := s.CreateRefreshToken(ctx, "n1", &store.RefreshToken{FamilyID: "e", ExpiresAt: time.Now().Add(time.Hour), Generation: 1})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("creating a revoked earlier-format family: %v, want conflict", err)
		}
		legacyFamily(t, s, c, "g", "h1", []string{"h1"}, "")
		if err := s.RevokeGrant(ctx, "g", time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := get("g", old("h1")); !errors.Is(err, store.ErrRevoked) {
			t.Fatalf("after RevokeGrant: %v, want revoked", err)
		}
	})

	t.Run("an unconfirmed earlier-format rotation", func(t *testing.T) {
		// An instance of the earlier version rotated h1 to h2 and lost the
		// reply; its request gave up a second ago.
		gaveUp := time.Now().Add(-time.Second).UnixMilli()
		legacyFamily(t, s, c, "p", "h2", []string{"h1", "h2"}, strconv.FormatInt(gaveUp, 10)+"|h1")
		if err := get("p", old("h1")); err != nil {
			t.Fatalf("the replaced member after its rotation was abandoned: %v, want usable", err)
		}
		next := &store.RefreshToken{ExpiresAt: time.Now().Add(time.Hour), Generation: 1}
		if err := s.RotateRefreshToken(ctx, "p", old("h1"), "n1", next); err != nil {
			t.Fatalf("rotating it: %v", err)
		}
		if err := get("p", old("h2")); !errors.Is(err, store.ErrRefreshReused) {
			t.Fatalf("the unanswered successor presented later: %v, want reuse", err)
		}
	})
}

// TestFamilyRecordRefusesSeparatorInHash: '|' separates the record's
// fields, so a hash holding one is refused before anything is written.
func TestFamilyRecordRefusesSeparatorInHash(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Client(t)
	s := New(c, prefix)
	ctx := t.Context()
	rt := &store.RefreshToken{FamilyID: "f", ExpiresAt: time.Now().Add(time.Hour), Generation: 1}
	if err := s.CreateRefreshToken(ctx, "a|b", rt); err == nil {
		t.Fatal("created a family whose hash holds '|'")
	}
	if err := s.CreateRefreshToken(ctx, "h1", rt); err != nil {
		t.Fatal(err)
	}
	next := &store.RefreshToken{ExpiresAt: time.Now().Add(time.Hour), Generation: 2}
	if err := s.RotateRefreshToken(ctx, "f", store.PresentedRefresh{Hash: "h1", Generation: 1}, "a|b", next); err == nil {
		t.Fatal("rotated to a hash holding '|'")
	}
	if _, err := s.GetRefreshToken(ctx, "f", store.PresentedRefresh{Hash: "h1", Generation: 1}); err != nil {
		t.Fatalf("the current member after the refused rotation: %v", err)
	}
}
