package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var logoutTests = []test{
	{"TakeSessionParticipants", testTakeSessionParticipants},
	{"TakeSubjectParticipantsByUnit", testTakeSubjectParticipantsByUnit},
	{"ParticipantTakenOnce", testParticipantTakenOnce},
	{"ParticipantExpires", testParticipantExpires},
	{"QueueClaimLeases", testQueueClaimLeases},
	{"QueueNotDueYet", testQueueNotDueYet},
	{"QueueEnqueueTwiceSendsOnce", testQueueEnqueueTwice},
	{"QueueRetry", testQueueRetry},
	{"QueueConcurrentClaimsOneEach", testQueueConcurrentClaims},
	{"QueueRefuseBadInput", testQueueRefuseBadInput},
}

func participant(sid, sub, unit, client string) store.LogoutParticipant {
	return store.LogoutParticipant{SessionID: sid, Subject: sub, UnitID: unit, ClientID: client}
}

func sortParticipants(ps []store.LogoutParticipant) []store.LogoutParticipant {
	slices.SortFunc(ps, func(a, b store.LogoutParticipant) int {
		k := func(p store.LogoutParticipant) string { return p.SessionID + "|" + p.ClientID + "|" + p.UnitID }
		switch ka, kb := k(a), k(b); {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	return ps
}

func testTakeSessionParticipants(t *testing.T, s store.Store) {
	ctx := t.Context()
	sub, s1, s2 := newID("p"), newID("sess"), newID("sess")
	a := participant(s1, sub, "", "rp-a")
	b := participant(s1, sub, "", "rp-b")
	c := participant(s2, sub, "", "rp-a")
	for _, p := range []store.LogoutParticipant{a, b, c, a} { // a twice: recorded once
		must(t, "add", s.AddLogoutParticipant(ctx, p, time.Hour))
	}
	got, err := s.TakeSessionParticipants(ctx, s1)
	must(t, "take session", err)
	sameJSON(t, "take session", sortParticipants(got), []store.LogoutParticipant{a, b})
	got, err = s.TakeSessionParticipants(ctx, s1)
	must(t, "take session again", err)
	if len(got) != 0 {
		t.Fatalf("take session again: %v, want none", got)
	}
	got, err = s.TakeSessionParticipants(ctx, newID("sess"))
	must(t, "take unknown session", err)
	if len(got) != 0 {
		t.Fatalf("take unknown session: %v, want none", got)
	}
	got, err = s.TakeSubjectParticipants(ctx, sub, "")
	must(t, "take subject", err)
	sameJSON(t, "take subject", got, []store.LogoutParticipant{c})
}

func testTakeSubjectParticipantsByUnit(t *testing.T, s store.Store) {
	ctx := t.Context()
	sub := newID("p")
	u1 := participant(newID("sess"), sub, "unit-1", "rp-a")
	u2 := participant(newID("sess"), sub, "unit-2", "rp-a")
	none := participant("", sub, "", "rp-app") // a login without a browser session
	other := participant(newID("sess"), newID("p"), "unit-1", "rp-a")
	for _, p := range []store.LogoutParticipant{u1, u2, none, other} {
		must(t, "add", s.AddLogoutParticipant(ctx, p, time.Hour))
	}
	got, err := s.TakeSubjectParticipants(ctx, sub, "unit-1")
	must(t, "take unit-1", err)
	sameJSON(t, "take unit-1", got, []store.LogoutParticipant{u1})
	got, err = s.TakeSubjectParticipants(ctx, sub, "")
	must(t, "take the rest", err)
	sameJSON(t, "take the rest", sortParticipants(got), sortParticipants([]store.LogoutParticipant{u2, none}))
	got, err = s.TakeSessionParticipants(ctx, u2.SessionID)
	must(t, "take a session already taken by subject", err)
	if len(got) != 0 {
		t.Fatalf("session taken by subject still has %v", got)
	}
	got, err = s.TakeSubjectParticipants(ctx, other.Subject, "")
	must(t, "take other subject", err)
	sameJSON(t, "other subject untouched", got, []store.LogoutParticipant{other})
}

func testParticipantTakenOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	sub, sid := newID("p"), newID("sess")
	for _, c := range []string{"rp-a", "rp-b", "rp-c"} {
		must(t, "add", s.AddLogoutParticipant(ctx, participant(sid, sub, "", c), time.Hour))
	}
	var mu sync.Mutex
	var all []store.LogoutParticipant
	errs := concurrently(contenders, func(i int) error {
		var got []store.LogoutParticipant
		var err error
		if i%2 == 0 {
			got, err = s.TakeSessionParticipants(ctx, sid)
		} else {
			got, err = s.TakeSubjectParticipants(ctx, sub, "")
		}
		mu.Lock()
		all = append(all, got...)
		mu.Unlock()
		return err
	})
	for _, err := range errs {
		must(t, "take", err)
	}
	if len(all) != 3 {
		t.Fatalf("%d concurrent takers got %d participants in all, want each of 3 exactly once: %v", contenders, len(all), all)
	}
}

func testParticipantExpires(t *testing.T, s store.Store) {
	ctx := t.Context()
	sub, sid := newID("p"), newID("sess")
	must(t, "add", s.AddLogoutParticipant(ctx, participant(sid, sub, "", "rp-a"), expiryTTL))
	time.Sleep(expiryTTL + 200*time.Millisecond)
	got, err := s.TakeSessionParticipants(ctx, sid)
	must(t, "take session", err)
	if len(got) != 0 {
		t.Fatalf("expired participant taken: %v", got)
	}
	got, err = s.TakeSubjectParticipants(ctx, sub, "")
	must(t, "take subject", err)
	if len(got) != 0 {
		t.Fatalf("expired participant taken: %v", got)
	}
}

func newDelivery() *store.LogoutDelivery {
	return &store.LogoutDelivery{ID: newID("bcl"), ClientID: "rp-a", Subject: newID("p"), SID: newID("sid"),
		Reason: "end_session", CreatedAt: now(), Deadline: now().Add(24 * time.Hour)}
}

func ids(ds []*store.LogoutDelivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	slices.Sort(out)
	return out
}

func pending(t *testing.T, s store.Store, want int64) {
	t.Helper()
	n, err := s.PendingLogouts(t.Context())
	must(t, "pending", err)
	if n != want {
		t.Fatalf("pending = %d, want %d", n, want)
	}
}

func testQueueClaimLeases(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newDelivery(), newDelivery()
	t0 := now()
	must(t, "enqueue", s.EnqueueLogouts(ctx, []*store.LogoutDelivery{a, b}, t0))
	pending(t, s, 2)
	got, err := s.ClaimLogouts(ctx, t0, time.Minute, 10)
	must(t, "claim", err)
	sameJSON(t, "claimed", ids(got), ids([]*store.LogoutDelivery{a, b}))
	for _, d := range got {
		if d.ID == a.ID {
			sameJSON(t, "claimed delivery", d, a)
		}
	}
	claimN(t, s, "claim while leased", 0, t0.Add(30*time.Second), time.Minute, 10)
	claimN(t, s, "claim after the lease", 1, t0.Add(61*time.Second), time.Minute, 1)
	must(t, "finish", s.FinishLogout(ctx, a.ID, time.Hour))
	must(t, "finish", s.FinishLogout(ctx, b.ID, time.Hour))
	pending(t, s, 0)
	claimN(t, s, "claim after finish", 0, t0.Add(time.Hour), time.Minute, 10)
}

func testQueueNotDueYet(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDelivery()
	t0 := now()
	must(t, "enqueue", s.EnqueueLogouts(ctx, []*store.LogoutDelivery{d}, t0.Add(time.Minute)))
	claimN(t, s, "claim early", 0, t0, time.Minute, 10)
	got, err := s.ClaimLogouts(ctx, t0.Add(time.Minute), time.Minute, 10)
	must(t, "claim when due", err)
	sameJSON(t, "claim when due", ids(got), []string{d.ID})
}

func testQueueEnqueueTwice(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDelivery()
	t0 := now()
	must(t, "enqueue", s.EnqueueLogouts(ctx, []*store.LogoutDelivery{d}, t0))
	must(t, "enqueue again", s.EnqueueLogouts(ctx, []*store.LogoutDelivery{d, d}, t0))
	pending(t, s, 1)
	claimN(t, s, "claim", 1, t0, time.Minute, 10)
	must(t, "finish", s.FinishLogout(ctx, d.ID, time.Hour))
	must(t, "enqueue after finish", s.EnqueueLogouts(ctx, []*store.LogoutDelivery{d}, t0))
	pending(t, s, 0)
}

func testQueueRetry(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDelivery()
	t0 := now()
	must(t, "enqueue", s.EnqueueLogouts(ctx, []*store.LogoutDelivery{d}, t0))
	got := claimN(t, s, "claim", 1, t0, time.Hour, 10)
	r := got[0]
	r.Attempts, r.LastError = 1, "connection refused"
	must(t, "retry", s.RetryLogout(ctx, r, t0.Add(10*time.Second)))
	claimN(t, s, "claim before the retry", 0, t0.Add(5*time.Second), time.Hour, 10)
	got = claimN(t, s, "claim at the retry", 1, t0.Add(10*time.Second), time.Hour, 10)
	sameJSON(t, "retried delivery", got[0], r)
	must(t, "finish", s.FinishLogout(ctx, d.ID, time.Hour))
	wantErr(t, "retry after finish", s.RetryLogout(ctx, r, t0), store.ErrNotFound)
	pending(t, s, 0)
}

func testQueueConcurrentClaims(t *testing.T, s store.Store) {
	ctx := t.Context()
	var ds []*store.LogoutDelivery
	for range 10 {
		ds = append(ds, newDelivery())
	}
	t0 := now()
	must(t, "enqueue", s.EnqueueLogouts(ctx, ds, t0))
	var mu sync.Mutex
	seen := map[string]int{}
	errs := concurrently(contenders, func(int) error {
		got, err := s.ClaimLogouts(ctx, t0, time.Minute, 3)
		mu.Lock()
		defer mu.Unlock()
		for _, d := range got {
			seen[d.ID]++
		}
		return err
	})
	for _, err := range errs {
		must(t, "claim", err)
	}
	if len(seen) != len(ds) {
		t.Fatalf("claimed %d distinct deliveries, want all %d", len(seen), len(ds))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("delivery %s claimed %d times by concurrent claimers", id, n)
		}
	}
}

func testQueueRefuseBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.EnqueueLogouts(ctx, []*store.LogoutDelivery{{ClientID: "rp"}}, now()); err == nil {
		t.Fatal("enqueue without ID accepted")
	}
	if err := s.AddLogoutParticipant(ctx, participant("", "", "", "rp"), time.Hour); err == nil {
		t.Fatal("participant without subject accepted")
	}
	if err := s.AddLogoutParticipant(ctx, participant("", newID("p"), "", "rp"), 0); err == nil {
		t.Fatal("participant without lifetime accepted")
	}
	if _, err := s.ClaimLogouts(ctx, now(), 0, 1); err == nil {
		t.Fatal("claim without lease accepted")
	}
	if err := s.FinishLogout(ctx, "", time.Hour); err == nil {
		t.Fatal("finish without ID accepted")
	}
}

// claimN claims the deliveries due at at and fails unless it got n.
func claimN(t *testing.T, s store.Store, what string, n int, at time.Time, lease time.Duration, limit int) []*store.LogoutDelivery {
	t.Helper()
	got, err := s.ClaimLogouts(t.Context(), at, lease, limit)
	must(t, what, err)
	if len(got) != n {
		t.Fatalf("%s: claimed %d deliveries %v, want %d", what, len(got), ids(got), n)
	}
	return got
}
