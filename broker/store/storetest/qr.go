package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var qrTests = []test{
	{"CreateGet", testQRCreateGet},
	{"PollOnlyWithTheSecret", testQRPoll},
	{"Lifecycle", testQRLifecycle},
	{"ScanOnce", testQRScanOnce},
	{"ConfirmOnce", testQRConfirmOnce},
	{"ConsumeOnce", testQRConsumeOnce},
	{"ExpireThenGone", testQRExpire},
	{"WatchWakes", testQRWatch},
	{"CountOnTheAuthRequest", testQRCountOnAuthRequest},
	{"RefuseBadInput", testQRRefuseBadInput},
}

func newQR(ttl time.Duration) *store.QRSession {
	return &store.QRSession{ID: newID("qr"), State: store.QRWaiting, ExpiresAt: now().Add(ttl),
		PollHash: newID("poll"), Data: []byte(`{"r":"ar-1","i":"127.0.0.1"}`)}
}

func testQRCreateGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	q := newQR(time.Minute)
	_, err := s.GetQR(ctx, q.ID)
	wantErr(t, "get unknown", err, store.ErrNotFound)
	must(t, "create", s.CreateQR(ctx, q, time.Minute))
	wantErr(t, "create the same ID again", s.CreateQR(ctx, newQRWithID(q.ID), time.Minute), store.ErrConflict)
	got, err := s.GetQR(ctx, q.ID)
	must(t, "get", err)
	sameJSON(t, "get", got, q)
	got.Data[0] = 'X' // the caller's copy is its own
	again, err := s.GetQR(ctx, q.ID)
	must(t, "get again", err)
	if again.Data[0] != '{' || again.PollHash != q.PollHash {
		t.Fatalf("changing a returned session changed the stored one: %+v", again)
	}
	if st := again.StateAt(time.Now()); st != store.QRWaiting {
		t.Fatalf("state %s, want %s", st, store.QRWaiting)
	}
}

func newQRWithID(id string) *store.QRSession {
	q := newQR(time.Minute)
	q.ID = id
	return q
}

func testQRPoll(t *testing.T, s store.Store) {
	ctx := t.Context()
	q := newQR(time.Minute)
	must(t, "create", s.CreateQR(ctx, q, time.Minute))
	_, err := s.PollQR(ctx, q.ID, newID("poll"))
	wantErr(t, "poll with another secret", err, store.ErrConflict)
	_, err = s.PollQR(ctx, q.ID, "")
	wantErr(t, "poll without a secret", err, store.ErrConflict)
	_, err = s.PollQR(ctx, newID("qr"), q.PollHash)
	wantErr(t, "poll an unknown session", err, store.ErrNotFound)
	for want := int64(1); want <= 3; want++ {
		got, err := s.PollQR(ctx, q.ID, q.PollHash)
		must(t, "poll", err)
		if got.Polls != want || got.State != store.QRWaiting || string(got.Data) != string(q.Data) {
			t.Fatalf("poll %d: %+v", want, got)
		}
	}
}

func testQRLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	q := newQR(time.Minute)
	must(t, "create", s.CreateQR(ctx, q, time.Minute))
	app, other := newID("app"), newID("app")
	scan := func(app string) (*store.QRSession, error) {
		return s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app, AppData: []byte("scan of " + app)})
	}
	confirm := func(app string) (*store.QRSession, error) {
		return s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRScanned}, To: store.QRConfirmed, AppSession: app})
	}

	cur, err := confirm(app)
	wantErr(t, "confirm before the scan", err, store.ErrConflict)
	if cur == nil || cur.State != store.QRWaiting {
		t.Fatalf("a refused step returns the current session, got %+v", cur)
	}
	got, err := scan(app)
	must(t, "scan", err)
	if got.State != store.QRScanned || got.AppSession != app || string(got.AppData) != "scan of "+app {
		t.Fatalf("after the scan: %+v", got)
	}
	cur, err = scan(other)
	wantErr(t, "a second scan", err, store.ErrConflict)
	if cur.AppSession != app || string(cur.AppData) != "scan of "+app {
		t.Fatalf("a refused scan changed the session: %+v", cur)
	}
	_, err = confirm(other)
	wantErr(t, "confirm by another app session", err, store.ErrConflict)
	got, err = confirm(app)
	must(t, "confirm", err)
	if got.State != store.QRConfirmed {
		t.Fatalf("after confirm: %+v", got)
	}
	_, err = s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRScanned}, To: store.QRCancelled, AppSession: app})
	wantErr(t, "cancel after confirm", err, store.ErrConflict)

	// The browser gets a ticket (the state stays), then redeems it.
	issue := func(pollHash, ticket string) error {
		_, err := s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRConfirmed}, PollHash: pollHash, NewTicketHash: ticket})
		return err
	}
	wantErr(t, "a ticket for another browser", issue(newID("poll"), newID("ticket")), store.ErrConflict)
	first, second := newID("ticket"), newID("ticket")
	must(t, "issue a ticket", issue(q.PollHash, first))
	must(t, "issue another ticket", issue(q.PollHash, second))
	consume := func(ticket string) (*store.QRSession, error) {
		return s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRConfirmed}, To: store.QRConsumed, PollHash: q.PollHash, TicketHash: ticket})
	}
	_, err = consume(first)
	wantErr(t, "consume with a replaced ticket", err, store.ErrConflict)
	got, err = consume(second)
	must(t, "consume", err)
	if got.State != store.QRConsumed || got.AppSession != app || got.TicketHash != second {
		t.Fatalf("after consume: %+v", got)
	}
	_, err = consume(second)
	wantErr(t, "consume twice", err, store.ErrConflict)

	// A cancelled session stays cancelled.
	c := newQR(time.Minute)
	must(t, "create", s.CreateQR(ctx, c, time.Minute))
	_, err = s.UpdateQR(ctx, c.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app})
	must(t, "scan", err)
	got, err = s.UpdateQR(ctx, c.ID, store.QRUpdate{From: []string{store.QRScanned}, To: store.QRCancelled, AppSession: app})
	must(t, "cancel", err)
	if got.State != store.QRCancelled {
		t.Fatalf("after cancel: %+v", got)
	}
	_, err = s.UpdateQR(ctx, c.ID, store.QRUpdate{From: []string{store.QRScanned}, To: store.QRConfirmed, AppSession: app})
	wantErr(t, "confirm after cancel", err, store.ErrConflict)
	_, err = s.UpdateQR(ctx, newID("qr"), store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app})
	wantErr(t, "update an unknown session", err, store.ErrNotFound)
}

// race runs contenders copies of step on one session and wants exactly one
// to succeed, every other one refused with ErrConflict.
func race(t *testing.T, what string, step func() error) {
	t.Helper()
	oneWinner(t, what, concurrently(contenders, func(int) error { return step() }), store.ErrConflict)
}

func testQRScanOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	q := newQR(time.Minute)
	must(t, "create", s.CreateQR(ctx, q, time.Minute))
	var n atomic.Int64
	race(t, "concurrent scans by different app sessions", func() error {
		_, err := s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned,
			AppSession: newID("app") + string(rune('a'+n.Add(1)))})
		return err
	})
}

func testQRConfirmOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	q := newQR(time.Minute)
	must(t, "create", s.CreateQR(ctx, q, time.Minute))
	app := newID("app")
	_, err := s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app})
	must(t, "scan", err)
	race(t, "concurrent confirms", func() error {
		_, err := s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRScanned}, To: store.QRConfirmed, AppSession: app})
		return err
	})
}

func testQRConsumeOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	q := newQR(time.Minute)
	must(t, "create", s.CreateQR(ctx, q, time.Minute))
	app, ticket := newID("app"), newID("ticket")
	for _, u := range []store.QRUpdate{
		{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app},
		{From: []string{store.QRScanned}, To: store.QRConfirmed, AppSession: app},
		{From: []string{store.QRConfirmed}, PollHash: q.PollHash, NewTicketHash: ticket},
	} {
		_, err := s.UpdateQR(ctx, q.ID, u)
		must(t, "step to "+u.To, err)
	}
	race(t, "concurrent redemptions", func() error {
		_, err := s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRConfirmed}, To: store.QRConsumed, PollHash: q.PollHash, TicketHash: ticket})
		return err
	})
}

// testQRExpire: waiting and scanned sessions read as expired from
// ExpiresAt on and move no more; the record is gone after keep.
func testQRExpire(t *testing.T, s store.Store) {
	ctx := t.Context()
	const ttl, keep = 400 * time.Millisecond, 800 * time.Millisecond
	waiting, scanned := newQR(ttl), newQR(ttl)
	app := newID("app")
	must(t, "create", s.CreateQR(ctx, waiting, keep))
	must(t, "create", s.CreateQR(ctx, scanned, keep))
	_, err := s.UpdateQR(ctx, scanned.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app})
	must(t, "scan", err)
	time.Sleep(ttl + 100*time.Millisecond)

	for _, q := range []*store.QRSession{waiting, scanned} {
		got, err := s.GetQR(ctx, q.ID)
		must(t, "get after ExpiresAt", err)
		if st := got.StateAt(time.Now()); st != store.QRExpired {
			t.Fatalf("state after ExpiresAt: %s, want %s", st, store.QRExpired)
		}
		_, err = s.PollQR(ctx, q.ID, q.PollHash)
		must(t, "poll after ExpiresAt (the browser learns it expired)", err)
	}
	cur, err := s.UpdateQR(ctx, waiting.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app})
	wantErr(t, "scan after ExpiresAt", err, store.ErrConflict)
	if cur == nil || cur.StateAt(time.Now()) != store.QRExpired {
		t.Fatalf("a refused step after ExpiresAt returns the expired session, got %+v", cur)
	}
	_, err = s.UpdateQR(ctx, scanned.ID, store.QRUpdate{From: []string{store.QRScanned}, To: store.QRConfirmed, AppSession: app})
	wantErr(t, "confirm after ExpiresAt", err, store.ErrConflict)

	time.Sleep(keep)
	for _, q := range []*store.QRSession{waiting, scanned} {
		_, err := s.GetQR(ctx, q.ID)
		wantErr(t, "get after keep", err, store.ErrNotFound)
		_, err = s.PollQR(ctx, q.ID, q.PollHash)
		wantErr(t, "poll after keep", err, store.ErrNotFound)
	}
	must(t, "an expired ID may be created again", s.CreateQR(ctx, waiting, time.Minute))
}

func testQRWatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	q, other := newQR(time.Minute), newQR(time.Minute)
	must(t, "create", s.CreateQR(ctx, q, time.Minute))
	must(t, "create", s.CreateQR(ctx, other, time.Minute))
	woken := make(chan struct{}, 16)
	stop := s.WatchQR(q.ID, func() {
		select {
		case woken <- struct{}{}:
		default:
		}
	})
	defer stop()
	stopOther := s.WatchQR(other.ID, func() { t.Error("a change of another session woke this watcher") })
	stopOther()
	app := newID("app")
	_, err := s.UpdateQR(ctx, other.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app})
	must(t, "scan the other session", err)
	_, err = s.UpdateQR(ctx, q.ID, store.QRUpdate{From: []string{store.QRWaiting}, To: store.QRScanned, AppSession: app})
	must(t, "scan", err)
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("the scan did not wake the watcher within 5s")
	}
}

func testQRRefuseBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	noID, noState, noPoll, past := newQR(time.Minute), newQR(time.Minute), newQR(time.Minute), newQR(-time.Hour)
	noID.ID, noState.State, noPoll.PollHash = "", "", ""
	for name, q := range map[string]*store.QRSession{"empty ID": noID, "empty state": noState, "no poll hash": noPoll, "gone already": past} {
		if err := s.CreateQR(ctx, q, time.Minute); err == nil {
			t.Errorf("create with %s: accepted", name)
		}
	}
}

// testQRCountOnAuthRequest: QR codes are counted on the auth request,
// which stays readable and completable, and the count goes with it.
func testQRCountOnAuthRequest(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := newAuthRequest()
	must(t, "create auth request", s.CreateAuthRequest(ctx, r, time.Hour))
	for want := int64(1); want <= 3; want++ {
		n, err := s.AddQRToAuthRequest(ctx, r.ID)
		must(t, "count", err)
		if n != want {
			t.Fatalf("count %d, want %d", n, want)
		}
	}
	got, err := s.GetAuthRequest(ctx, r.ID)
	must(t, "get the auth request after counting", err)
	sameJSON(t, "auth request after counting", got, r)
	must(t, "complete after counting", s.CompleteAuthRequest(ctx, r.ID, newAuthentication()))
	_, err = s.AddQRToAuthRequest(ctx, newID("ar"))
	wantErr(t, "count for an unknown auth request", err, store.ErrNotFound)
	must(t, "delete", s.DeleteAuthRequest(ctx, r.ID))
	_, err = s.AddQRToAuthRequest(ctx, r.ID)
	wantErr(t, "count for a deleted auth request", err, store.ErrNotFound)
}
