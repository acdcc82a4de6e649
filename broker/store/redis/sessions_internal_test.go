package redisstore

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// TestDeleteSessionLeavesNoIndexEntry: signing out removes the session
// from its subject's index too, so a subject who signs in and out all day
// does not grow an index of ended sessions.
func TestDeleteSessionLeavesNoIndexEntry(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Client(t)
	s := New(c, prefix)
	ctx := t.Context()
	for _, id := range []string{"s1", "s2"} {
		sess := &store.Session{ID: id, Auth: store.Authentication{Subject: "p_sub"}, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	members, err := c.SMembers(ctx, s.k.sessionsOf("p_sub")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 1 || members[0] != "s2" {
		t.Fatalf("index after signing s1 out: %q, want only s2", members)
	}
	if err := s.DeleteSession(ctx, "s1"); err != nil {
		t.Fatalf("deleting it again: %v", err)
	}
	if _, err := s.GetSession(ctx, "s1"); err == nil {
		t.Fatal("the deleted session is still there")
	}
}
