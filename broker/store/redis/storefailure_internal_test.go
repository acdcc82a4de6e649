package redisstore

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// TestRotationSurvivesStoreFailures: a store failure must not revoke a
// family whose client did nothing wrong. A rotation run again with the
// same new hash (go-redis retrying after a lost reply) succeeds; one that
// reaches Redis after its caller's deadline (it waited in a frozen
// server's socket while the client was answered 503) changes nothing; and
// one that ran but whose reply never reached the broker leaves the old
// token usable once the rotating request has given up, while its unused
// successor then counts as a former member.
func TestRotationSurvivesStoreFailures(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Client(t)
	s := New(c, prefix)
	s.timeout = time.Second
	ctx := t.Context()
	hour := time.Now().Add(time.Hour)
	// m is the member of hash h<gen>: generation gen.
	m := func(gen uint64) store.PresentedRefresh {
		return store.PresentedRefresh{Hash: "h" + strconv.FormatUint(gen, 10), Generation: gen}
	}
	create := func(family string) {
		t.Helper()
		if err := s.CreateRefreshToken(ctx, "h1", &store.RefreshToken{FamilyID: family, ExpiresAt: hour, Generation: 1}); err != nil {
			t.Fatal(err)
		}
	}
	rotate := func(family string, from, to uint64) error {
		return s.RotateRefreshToken(ctx, family, m(from), m(to).Hash, &store.RefreshToken{ExpiresAt: hour, Generation: to})
	}
	get := func(family string, gen uint64) error { _, err := s.GetRefreshToken(ctx, family, m(gen)); return err }
	// unanswered runs the rotation script alone, as when Redis ran it but
	// the broker never got the reply, for a request with the given deadline.
	unanswered := func(family string, from, to uint64, deadline time.Time) string {
		t.Helper()
		res, err := rotateRefreshToken.Run(ctx, c, s.familyKeys(family, m(from).Hash),
			m(from).Hash, from, m(to).Hash, `{}`, 3_600_000, deadline.UnixMilli(), to).Text()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	create("f")
	for i := range 2 {
		if err := rotate("f", 1, 2); err != nil {
			t.Fatalf("rotation h1→h2, run %d: %v", i+1, err)
		}
	}
	if err := get("f", 2); err != nil {
		t.Fatalf("h2 after a repeated rotation: %v", err)
	}

	if res := unanswered("f", 2, 3, time.Now().Add(-time.Second)); res != "late" {
		t.Fatalf("rotation past its deadline: %q, want late", res)
	}
	if err := s.familyStatus("rotate", "f", "late"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("late rotation: %v, want ErrUnavailable", err)
	}
	if err := get("f", 2); err != nil {
		t.Fatalf("h2 after a late rotation: %v, want still current", err)
	}
	if err := get("f", 3); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("h3 after a late rotation: %v, want unknown", err)
	}

	if res := unanswered("f", 2, 3, time.Now().Add(100*time.Millisecond)); res != "ok" {
		t.Fatalf("rotation h2→h3: %q", res)
	}
	time.Sleep(150 * time.Millisecond) // the rotating request gives up: 503
	if err := get("f", 2); err != nil {
		t.Fatalf("h2 after its rotation's reply was lost: %v, want usable", err)
	}
	if err := rotate("f", 2, 4); err != nil {
		t.Fatalf("rotation h2→h4 after a lost reply: %v", err)
	}
	if err := get("f", 2); !errors.Is(err, store.ErrRefreshReused) {
		t.Fatalf("h2 after its confirmed rotation: %v, want reuse", err)
	}

	create("g")
	if res := unanswered("g", 1, 2, time.Now().Add(10*time.Second)); res != "ok" {
		t.Fatalf("rotation h1→h2: %q", res)
	}
	if err := get("g", 1); !errors.Is(err, store.ErrRefreshReused) {
		t.Fatalf("h1 while its rotation may still be answered: %v, want reuse (concurrent use)", err)
	}

	create("u")
	if res := unanswered("u", 1, 2, time.Now().Add(50*time.Millisecond)); res != "ok" {
		t.Fatalf("rotation h1→h2: %q", res)
	}
	time.Sleep(100 * time.Millisecond)
	if err := rotate("u", 1, 3); err != nil {
		t.Fatalf("rotation h1→h3 after a lost reply: %v", err)
	}
	if err := get("u", 2); !errors.Is(err, store.ErrRefreshReused) {
		t.Fatalf("the unanswered successor h2 presented later: %v, want reuse", err)
	}
}

// TestLateCodeConsumptionChangesNothing: a code consumption Redis reaches
// after its request gave up leaves the code live, so the client's retry
// is not taken for a replay (which would revoke the grant).
func TestLateCodeConsumptionChangesNothing(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Client(t)
	s := New(c, prefix)
	ctx := t.Context()
	if err := s.SaveCode(ctx, "code", "ar", time.Minute); err != nil {
		t.Fatal(err)
	}
	late := time.Now().Add(-time.Second).UnixMilli()
	res, err := consumeCode.Run(ctx, c, []string{s.k.code("code")}, 60_000, late).StringSlice()
	if err != nil || len(res) != 2 || res[0] != "late" {
		t.Fatalf("consumption past its deadline: %q, %v; want late", res, err)
	}
	if id, err := s.ConsumeCode(ctx, "code", time.Minute); err != nil || id != "ar" {
		t.Fatalf("the code after a late consumption: %q, %v; want it still live", id, err)
	}
}
