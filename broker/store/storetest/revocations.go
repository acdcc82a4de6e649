package storetest

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var revocationTests = []test{
	{"AccessToken", testRevokeAccessToken},
	{"GrantRevokesTokensAndFamily", testRevokeGrant},
	{"GrantRevokedBeforeFamilyExists", testRevokeGrantFirst},
	{"GrantWithPastUntilStillRevokesFamily", testRevokeGrantPast},
	{"SubjectBefore", testRevokeSubject},
	{"NothingAsked", testRevokedNothingAsked},
}

// revoked asks AccessTokenRevoked and fails on error.
func revoked(t *testing.T, s store.Store, jti, grant, subject string, iat time.Time) bool {
	t.Helper()
	r, err := s.AccessTokenRevoked(t.Context(), jti, grant, subject, iat)
	must(t, "access token revoked", err)
	return r
}

func testRevokeAccessToken(t *testing.T, s store.Store) {
	jti, other := newID("jti"), newID("jti")
	if revoked(t, s, jti, "", "", now()) {
		t.Fatal("revoked before RevokeAccessToken")
	}
	must(t, "revoke", s.RevokeAccessToken(t.Context(), jti, time.Now().Add(time.Hour)))
	if !revoked(t, s, jti, "", "", now()) {
		t.Fatal("not revoked after RevokeAccessToken")
	}
	if !revoked(t, s, jti, newID("grant"), newID("sub"), now()) {
		t.Fatal("not revoked when asked together with an unrevoked grant and subject")
	}
	if revoked(t, s, other, "", "", now()) {
		t.Fatal("another jti is revoked")
	}
	// A later revocation with an earlier end does not shorten the first.
	must(t, "revoke shorter", s.RevokeAccessToken(t.Context(), jti, time.Now().Add(-time.Minute)))
	if !revoked(t, s, jti, "", "", now()) {
		t.Fatal("not revoked after a second, shorter RevokeAccessToken")
	}
}

func testRevokeGrant(t *testing.T, s store.Store) {
	ctx := t.Context()
	g, h, rt := newFamily(t, s)
	if revoked(t, s, newID("jti"), g, "", now()) {
		t.Fatal("grant revoked before RevokeGrant")
	}
	must(t, "revoke grant", s.RevokeGrant(ctx, g, time.Now().Add(time.Hour)))
	if !revoked(t, s, newID("jti"), g, "", now()) {
		t.Fatal("access token of revoked grant not revoked")
	}
	if revoked(t, s, newID("jti"), newID("grant"), "", now()) {
		t.Fatal("another grant is revoked")
	}
	_, err := s.GetRefreshToken(ctx, g, tok(h, rt))
	wantErr(t, "refresh token of revoked grant", err, store.ErrRevoked)
}

// A replayed code revokes the grant; an exchange of the same code already
// under way must then not be able to start the refresh family.
func testRevokeGrantFirst(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := newID("grant")
	must(t, "revoke grant", s.RevokeGrant(ctx, g, time.Now().Add(time.Hour)))
	err := s.CreateRefreshToken(ctx, newID("rt"), newRefreshToken(g))
	wantErr(t, "create family of revoked grant", err, store.ErrRevoked)
}

func testRevokeGrantPast(t *testing.T, s store.Store) {
	ctx := t.Context()
	g, h, rt := newFamily(t, s)
	must(t, "revoke grant", s.RevokeGrant(ctx, g, time.Now().Add(-time.Minute)))
	_, err := s.GetRefreshToken(ctx, g, tok(h, rt))
	wantErr(t, "refresh token of revoked grant", err, store.ErrRevoked)
	if revoked(t, s, newID("jti"), g, "", now()) {
		t.Fatal("grant denied although every access token expired")
	}
}

func testRevokeSubject(t *testing.T, s store.Store) {
	ctx := t.Context()
	sub, before := newID("sub"), now()
	must(t, "revoke subject", s.RevokeSubject(ctx, sub, before, time.Now().Add(time.Hour)))
	tests := []struct {
		name    string
		subject string
		iat     time.Time
		want    bool
	}{
		{"issued before", sub, before.Add(-time.Second), true},
		{"issued just before", sub, before.Add(-time.Millisecond), true},
		{"issued at", sub, before, false},
		{"issued after", sub, before.Add(time.Second), false},
		{"other subject", newID("sub"), before.Add(-time.Second), false},
	}
	for _, tc := range tests {
		if got := revoked(t, s, newID("jti"), "", tc.subject, tc.iat); got != tc.want {
			t.Errorf("%s: revoked %v, want %v", tc.name, got, tc.want)
		}
	}
	// A later call with an earlier `before` does not un-revoke anything.
	must(t, "revoke subject earlier", s.RevokeSubject(ctx, sub, before.Add(-time.Hour), time.Now().Add(time.Minute)))
	if !revoked(t, s, newID("jti"), "", sub, before.Add(-time.Second)) {
		t.Error("a narrower RevokeSubject un-revoked a token")
	}
	// A later `before` widens the revocation.
	must(t, "revoke subject later", s.RevokeSubject(ctx, sub, before.Add(time.Hour), time.Now().Add(time.Hour)))
	if !revoked(t, s, newID("jti"), "", sub, before.Add(time.Second)) {
		t.Error("a wider RevokeSubject did not revoke a later token")
	}
}

func testRevokedNothingAsked(t *testing.T, s store.Store) {
	if revoked(t, s, "", "", "", now()) {
		t.Fatal("nothing asked, yet revoked")
	}
	if revoked(t, s, newID("jti"), "", "", now()) {
		t.Fatal("unknown jti revoked")
	}
}
