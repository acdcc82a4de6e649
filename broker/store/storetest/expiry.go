package storetest

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var expiryTests = []test{
	{"EverythingWithALifetimeExpires", testExpiry},
}

// expiryTTL is the lifetime of the records in the expiry test: Redis keeps
// lifetimes in milliseconds, and a slow runner still has time to see each
// record alive before it expires.
const expiryTTL = 1200 * time.Millisecond

// expiring is one record with a lifetime: setup writes it (with expiryTTL)
// and checks it exists; expired checks, after the lifetime, that it is gone.
type expiring struct {
	name  string
	setup func(t *testing.T, s store.Store) (expired func(t *testing.T))
}

var expiringRecords = []expiring{
	{"AuthRequest", func(t *testing.T, s store.Store) func(*testing.T) {
		r := newAuthRequest()
		must(t, "create", s.CreateAuthRequest(t.Context(), r, expiryTTL))
		_, err := s.GetAuthRequest(t.Context(), r.ID)
		must(t, "get", err)
		return func(t *testing.T) {
			_, err := s.GetAuthRequest(t.Context(), r.ID)
			wantErr(t, "get", err, store.ErrNotFound)
			wantErr(t, "complete", s.CompleteAuthRequest(t.Context(), r.ID, newAuthentication()), store.ErrNotFound)
		}
	}},
	{"Code", func(t *testing.T, s store.Store) func(*testing.T) {
		code := newID("code")
		must(t, "save", s.SaveCode(t.Context(), code, newID("ar"), expiryTTL))
		return func(t *testing.T) {
			_, err := s.ConsumeCode(t.Context(), code, time.Hour)
			wantErr(t, "consume", err, store.ErrNotFound)
		}
	}},
	{"CodeTombstone", func(t *testing.T, s store.Store) func(*testing.T) {
		code := newID("code")
		must(t, "save", s.SaveCode(t.Context(), code, newID("ar"), time.Hour))
		_, err := s.ConsumeCode(t.Context(), code, expiryTTL)
		must(t, "consume", err)
		return func(t *testing.T) {
			_, err := s.ConsumeCode(t.Context(), code, time.Hour)
			wantErr(t, "consume after the tombstone expired", err, store.ErrNotFound)
		}
	}},
	{"RefreshToken", func(t *testing.T, s store.Store) func(*testing.T) {
		f, h := newID("family"), newID("rt")
		rt := newRefreshToken(f)
		rt.ExpiresAt = time.Now().Add(expiryTTL)
		must(t, "create", s.CreateRefreshToken(t.Context(), h, rt))
		_, err := s.GetRefreshToken(t.Context(), f, tok(h, rt))
		must(t, "get", err)
		return func(t *testing.T) {
			_, err := s.GetRefreshToken(t.Context(), f, tok(h, rt))
			wantErr(t, "get", err, store.ErrNotFound)
		}
	}},
	{"Session", func(t *testing.T, s store.Store) func(*testing.T) {
		sess := newSession()
		sess.ExpiresAt = time.Now().Add(expiryTTL)
		must(t, "create", s.CreateSession(t.Context(), sess))
		_, err := s.GetSession(t.Context(), sess.ID)
		must(t, "get", err)
		return func(t *testing.T) {
			_, err := s.GetSession(t.Context(), sess.ID)
			wantErr(t, "get", err, store.ErrNotFound)
		}
	}},
	{"Counter", func(t *testing.T, s store.Store) func(*testing.T) {
		key := newID("lockout")
		for range 2 {
			_, err := s.Incr(t.Context(), key, expiryTTL)
			must(t, "incr", err)
		}
		return func(t *testing.T) {
			if n := count(t, s, key); n != 0 {
				t.Fatalf("count: %d, want 0", n)
			}
			n, err := s.Incr(t.Context(), key, time.Hour)
			must(t, "incr", err)
			if n != 1 {
				t.Fatalf("incr after expiry: %d, want 1", n)
			}
		}
	}},
	{"RevokedAccessToken", func(t *testing.T, s store.Store) func(*testing.T) {
		jti := newID("jti")
		must(t, "revoke", s.RevokeAccessToken(t.Context(), jti, time.Now().Add(expiryTTL)))
		if !revoked(t, s, jti, "", "", now()) {
			t.Fatal("not revoked")
		}
		return func(t *testing.T) {
			if revoked(t, s, jti, "", "", now()) {
				t.Fatal("still revoked")
			}
		}
	}},
	{"RevokedGrant", func(t *testing.T, s store.Store) func(*testing.T) {
		g := newID("grant")
		must(t, "revoke", s.RevokeGrant(t.Context(), g, time.Now().Add(expiryTTL)))
		if !revoked(t, s, newID("jti"), g, "", now()) {
			t.Fatal("not revoked")
		}
		return func(t *testing.T) {
			if revoked(t, s, newID("jti"), g, "", now()) {
				t.Fatal("still revoked")
			}
		}
	}},
	{"FamilyOfRevokedGrant", func(t *testing.T, s store.Store) func(*testing.T) {
		// The family lives an hour; revoked through its grant, it is
		// refused as revoked while the grant's mark lives and then
		// forgotten, not kept for the hour.
		f, h, rt := newFamily(t, s)
		must(t, "revoke grant", s.RevokeGrant(t.Context(), f, time.Now().Add(expiryTTL)))
		_, err := s.GetRefreshToken(t.Context(), f, tok(h, rt))
		wantErr(t, "get while the grant's mark lives", err, store.ErrRevoked)
		return func(t *testing.T) {
			_, err := s.GetRefreshToken(t.Context(), f, tok(h, rt))
			wantErr(t, "get after the grant's mark expired", err, store.ErrNotFound)
			err = s.RotateRefreshToken(t.Context(), f, tok(h, rt), newID("rt"), nextRefreshToken(rt))
			wantErr(t, "rotate after the grant's mark expired", err, store.ErrNotFound)
		}
	}},
	{"RevokedSubject", func(t *testing.T, s store.Store) func(*testing.T) {
		sub, iat := newID("sub"), now().Add(-time.Minute)
		must(t, "revoke", s.RevokeSubject(t.Context(), sub, now(), time.Now().Add(expiryTTL)))
		if !revoked(t, s, newID("jti"), "", sub, iat) {
			t.Fatal("not revoked")
		}
		return func(t *testing.T) {
			if revoked(t, s, newID("jti"), "", sub, iat) {
				t.Fatal("still revoked")
			}
		}
	}},
}

// testExpiry writes every kind of record with a lifetime, waits once for
// them all to expire and then checks each: one wait keeps the suite fast.
func testExpiry(t *testing.T, s store.Store) {
	checks := make([]func(*testing.T), len(expiringRecords))
	for i, r := range expiringRecords {
		checks[i] = r.setup(t, s)
	}
	time.Sleep(expiryTTL + 300*time.Millisecond)
	for i, r := range expiringRecords {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			checks[i](t)
		})
	}
}
