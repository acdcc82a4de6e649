package memory

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// Reads never see expired records; the sweeper is what frees their memory.
func TestSweepDropsExpiredRecords(t *testing.T) {
	ctx := t.Context()
	s := New()
	defer s.Close()
	n := time.Now()
	hour := n.Add(time.Hour)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("auth request", s.CreateAuthRequest(ctx, &store.AuthRequest{ID: "ar"}, time.Hour))
	must("code", s.SaveCode(ctx, "code", "ar", time.Hour))
	must("refresh", s.CreateRefreshToken(ctx, "h1", &store.RefreshToken{FamilyID: "f", ExpiresAt: hour, Generation: 1}))
	must("rotate", s.RotateRefreshToken(ctx, "f", store.PresentedRefresh{Hash: "h1", Generation: 1}, "h2",
		&store.RefreshToken{ExpiresAt: hour.Add(time.Hour), Generation: 2}))
	must("jti", s.RevokeAccessToken(ctx, "jti", hour))
	must("grant", s.RevokeGrant(ctx, "g", hour))
	must("subject", s.RevokeSubject(ctx, "sub", n, hour))
	must("session", s.CreateSession(ctx, &store.Session{ID: "sess", ExpiresAt: hour}))
	_, err := s.Incr(ctx, "cnt", time.Hour)
	must("counter", err)
	must("client", s.PutClient(ctx, &store.Client{ID: "c"}))

	s.sweep(n.Add(90 * time.Minute)) // h1's expiry passed, h2's (the family's) not
	if f := s.families["f"]; f == nil || f.cur != "h2" {
		t.Fatalf("after the first member's expiry: family %+v, want it with its current member", f)
	}
	if len(s.authRequests)+len(s.codes)+len(s.jtis)+len(s.grants)+len(s.subjects)+len(s.sessions)+len(s.counters) != 0 {
		t.Fatal("records that expired an hour ago survived the sweep")
	}

	s.sweep(n.Add(3 * time.Hour))
	if len(s.families) != 0 {
		t.Fatalf("expired family survived the sweep")
	}
	if len(s.clients) != 1 {
		t.Fatal("the sweep dropped a record without a lifetime")
	}
}

func TestCloseStopsSweeper(t *testing.T) {
	s := New()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	default:
		t.Fatal("sweeper still running after Close")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
