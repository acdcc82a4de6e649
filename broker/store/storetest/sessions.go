package storetest

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var sessionTests = []test{
	{"CreateGetReplaceDelete", testSessionLifecycle},
	{"SessionsOfSubject", testSessionsOf},
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

func testSessionsOf(t *testing.T, s store.Store) {
	ctx := t.Context()
	subject := newID("person")
	sessionsOf := func() []string {
		t.Helper()
		got, err := s.SessionsOf(ctx, subject)
		must(t, "sessions of", err)
		ids := make([]string, len(got))
		for i, g := range got {
			ids[i] = g.ID
		}
		return ids
	}
	if got := sessionsOf(); len(got) != 0 {
		t.Fatalf("a subject without sessions has %v", got)
	}
	older, newer, other := newSession(), newSession(), newSession()
	older.Auth.Subject, newer.Auth.Subject = subject, subject
	older.CreatedAt = newer.CreatedAt.Add(-time.Minute)
	newer.UserAgent, newer.IP = "Mozilla/5.0 (Windows NT 10.0)", "192.0.2.7"
	for _, x := range []*store.Session{older, newer, other} {
		must(t, "create", s.CreateSession(ctx, x))
	}
	sameJSON(t, "sessions, newest first", sessionsOf(), []string{newer.ID, older.ID})
	all, err := s.SessionsOf(ctx, subject)
	must(t, "sessions of", err)
	sameJSON(t, "listed session", all[0], newer)

	must(t, "delete", s.DeleteSession(ctx, older.ID))
	sameJSON(t, "after a sign-out", sessionsOf(), []string{newer.ID})
	// A session re-issued for another subject leaves this one's list.
	moved := *newer
	moved.Auth.Subject = newID("person")
	must(t, "replace", s.CreateSession(ctx, &moved))
	if got := sessionsOf(); len(got) != 0 {
		t.Fatalf("a session now of another subject is still listed: %v", got)
	}
	if _, err := s.SessionsOf(ctx, ""); err == nil {
		t.Fatal("sessions of no subject accepted")
	}
}
