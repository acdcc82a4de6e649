package storetest

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var sessionTests = []test{
	{"CreateGetReplaceDelete", testSessionLifecycle},
}

func newSession() *store.Session {
	n := now()
	return &store.Session{
		ID:        newID("sess"),
		Auth:      newAuthentication(),
		CreatedAt: n,
		ExpiresAt: n.Add(time.Hour),
	}
}

func testSessionLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess := newSession()
	must(t, "create", s.CreateSession(ctx, sess))
	got, err := s.GetSession(ctx, sess.ID)
	must(t, "get", err)
	sameJSON(t, "get", got, sess)

	// Creating with the same ID replaces (a step-up login re-issues it).
	up := *sess
	up.Auth = newAuthentication()
	up.Auth.AMR = []string{"hwk", "mfa"}
	must(t, "replace", s.CreateSession(ctx, &up))
	got, err = s.GetSession(ctx, sess.ID)
	must(t, "get replaced", err)
	sameJSON(t, "replaced", got, &up)

	_, err = s.GetSession(ctx, newID("sess"))
	wantErr(t, "get unknown", err, store.ErrNotFound)
	must(t, "delete", s.DeleteSession(ctx, sess.ID))
	_, err = s.GetSession(ctx, sess.ID)
	wantErr(t, "get deleted", err, store.ErrNotFound)
	must(t, "delete again", s.DeleteSession(ctx, sess.ID))
}
