package keys

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestScheduledRotation(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	t0 := clk.Now()
	m := newTestManager(t, st, clk, nil)
	set := st.stored(t)
	k0, k1 := set.Keys[0].KID, set.Keys[1].KID
	ctx := context.Background()

	refresh := func() {
		t.Helper()
		if err := m.Refresh(ctx); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
	}
	writes := func() int {
		_, swaps, _ := st.stats()
		return swaps
	}

	// The next key takes over exactly at its activate_at, from memory.
	clk.Set(t0.Add(testPeriod - time.Nanosecond))
	if got := m.Active().ID(); got != k0 {
		t.Fatalf("1ns before activation Active() = %s, want %s", got, k0)
	}
	gets, _, _ := st.stats()
	clk.Set(t0.Add(testPeriod))
	if got := m.Active().ID(); got != k1 {
		t.Fatalf("at activation Active() = %s, want %s", got, k1)
	}
	assertIDs(t, "Published after activation", publishedIDs(m), []string{k1, k0})
	if g, _, _ := st.stats(); g != gets || writes() != 1 {
		t.Fatalf("activation touched the store (%d reads, %d writes)", g-gets, writes()-1)
	}

	// Right after the activation Refresh publishes the successor at once,
	// to activate exactly when k1's period ends; a second Refresh writes
	// nothing.
	refresh()
	set = st.stored(t)
	end := t0.Add(2 * testPeriod)
	if writes() != 2 || len(set.Keys) != 3 {
		t.Fatalf("Refresh after activation: %d writes, keys %q", writes(), storedIDs(set))
	}
	k2 := set.Keys[2]
	if !k2.ActivateAt.Equal(end) || !set.Keys[1].DeactivateAt.Equal(end) {
		t.Errorf("next key activates at %s (predecessor deactivates %s), want %s", k2.ActivateAt, set.Keys[1].DeactivateAt, end)
	}
	refresh()
	if writes() != 2 {
		t.Fatalf("a second Refresh wrote the set")
	}

	// The retired key stays published until deactivate_at + RetireAfter,
	// then disappears (from memory at once, from the store at the next Refresh).
	clk.Set(t0.Add(testPeriod + testRetire - time.Nanosecond))
	assertIDs(t, "Published 1ns before grace ends", publishedIDs(m), []string{k1, k2.KID, k0})
	clk.Set(t0.Add(testPeriod + testRetire))
	assertIDs(t, "Published when grace ends", publishedIDs(m), []string{k1, k2.KID})
	assertIDs(t, "stored before Refresh", storedIDs(st.stored(t)), []string{k0, k1, k2.KID})
	refresh()
	assertIDs(t, "stored after Refresh", storedIDs(st.stored(t)), []string{k1, k2.KID})

	before := writes()
	clk.Set(end)
	if got := m.Active().ID(); got != k2.KID {
		t.Errorf("at its activate_at Active() = %s, want %s", got, k2.KID)
	}
	if writes() != before {
		t.Errorf("second activation wrote the store")
	}
}

func TestRefreshAfterOutagePublishesBeforeActivating(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	t0 := clk.Now()
	m := newTestManager(t, st, clk, nil)
	k1 := st.stored(t).Keys[1].KID

	// Nobody refreshed during k1's whole period: its successor must still
	// be published PublishAhead before it signs, so k1 signs a bit longer.
	now := t0.Add(2*testPeriod + 5*time.Hour)
	clk.Set(now)
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	set := st.stored(t)
	newest := set.Keys[len(set.Keys)-1]
	if !newest.ActivateAt.Equal(now.Add(testAhead)) {
		t.Errorf("new key activates at %s, want now+PublishAhead %s", newest.ActivateAt, now.Add(testAhead))
	}
	if got := m.Active().ID(); got != k1 {
		t.Errorf("Active() = %s, want %s until the new key is due", got, k1)
	}
}

func TestRetiredKeyVerifiesOldTokensUntilGraceEnds(t *testing.T) {
	t.Parallel()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			t0 := clk.Now()
			m := newTestManager(t, &memStore{}, clk, func(o *Options) { o.Algorithm = alg })
			old := signToken(t, m.Active(), "alice")

			clk.Set(t0.Add(testPeriod))
			fresh := signToken(t, m.Active(), "bob")
			verifyToken(t, m, old, alg)
			verifyToken(t, m, fresh, alg)

			clk.Set(t0.Add(testPeriod + testRetire - time.Nanosecond))
			verifyToken(t, m, old, alg)

			clk.Set(t0.Add(testPeriod + testRetire))
			var unknown errUnknownKID
			if _, err := verifyWith(m.Published(), old, alg); !errors.As(err, &unknown) {
				t.Errorf("old token after grace: err %v, want unknown kid", err)
			}
			verifyToken(t, m, fresh, alg)
		})
	}
}

func TestRotateNowSchedulesTheNextKey(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	m := newTestManager(t, st, clk, nil)
	before := st.stored(t)
	k0, k1 := before.Keys[0].KID, before.Keys[1].KID

	clk.Advance(time.Hour)
	now := clk.Now()
	at := now.Add(2 * testInterval)
	if err := m.RotateNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	set := st.stored(t)
	if len(set.Keys) != 3 || set.Keys[0].KID != k0 || set.Keys[1].KID != k1 {
		t.Fatalf("stored %q, want k0, k1 and a fresh next key", storedIDs(set))
	}
	k2 := set.Keys[2]
	if !set.Keys[0].DeactivateAt.Equal(at) || !set.Keys[1].ActivateAt.Equal(at) {
		t.Errorf("old active deactivates %s, next activates %s; want both at now + 2 check intervals", set.Keys[0].DeactivateAt, set.Keys[1].ActivateAt)
	}
	if !k2.ActivateAt.Equal(at.Add(testPeriod)) {
		t.Errorf("fresh next key activates %s, want the switch + RotationPeriod", k2.ActivateAt)
	}
	if got := m.Active().ID(); got != k0 {
		t.Errorf("Active() before the switch = %s, want %s", got, k0)
	}
	if m.Version() != 2 {
		t.Errorf("Version() = %d, want 2", m.Version())
	}
	clk.Set(at)
	if got := m.Active().ID(); got != k1 {
		t.Errorf("Active() at the switch = %s, want the former next key %s", got, k1)
	}
	assertIDs(t, "Published", publishedIDs(m), []string{k1, k2.KID, k0})
	var states []string
	for _, k := range m.Published() {
		states = append(states, k.State())
	}
	assertIDs(t, "states", states, []string{StateActive, StateNext, StateRetiring})
	other := newTestManager(t, st, clk, nil)
	if other.Active().ID() != k1 {
		t.Errorf("another instance's Active() = %s, want %s", other.Active().ID(), k1)
	}
}

func TestRotateNowWithoutNextKeySchedulesAFreshKey(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	t0 := clk.Now()
	m := newTestManager(t, st, clk, nil)
	k0, k1 := st.stored(t).Keys[0].KID, st.stored(t).Keys[1].KID

	clk.Set(t0.Add(testPeriod + time.Minute)) // k1 active, nobody published its successor yet
	at := clk.Now().Add(2 * testInterval)
	if err := m.RotateNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	set := st.stored(t)
	if len(set.Keys) != 4 {
		t.Fatalf("stored %q, want k0, k1, a key for the switch and a next key", storedIDs(set))
	}
	k2, k3 := set.Keys[2], set.Keys[3]
	if got := m.Active().ID(); got != k1 || !k2.ActivateAt.Equal(at) {
		t.Errorf("Active() = %s, fresh key activates %s; want %s until %s", got, k2.ActivateAt, k1, at)
	}
	clk.Set(at)
	assertIDs(t, "Published at the switch", publishedIDs(m), []string{k2.KID, k3.KID, k1, k0})
}

func TestRotateNowTwiceAtTheSameInstant(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	m := newTestManager(t, st, clk, nil)
	ctx := context.Background()
	for range 2 {
		if err := m.RotateNow(ctx); err != nil {
			t.Fatal(err)
		}
	}
	set := st.stored(t)
	if len(set.Keys) != 3 {
		t.Fatalf("stored %d keys, want 3: the second call finds the switch already due", len(set.Keys))
	}
	clk.Advance(2 * testInterval)
	if got, want := m.Active().ID(), set.Keys[1].KID; got != want {
		t.Errorf("Active() = %s, want the promoted key %s", got, want)
	}
	if got := newTestManager(t, st, clk, nil).Active().ID(); got != m.Active().ID() {
		t.Errorf("fresh instance Active() = %s, want %s", got, m.Active().ID())
	}
	assertOneActive(t, set, clk.Now())
}

func TestActiveFallsBackToEarliestKeyWhenClockIsBehind(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	m := newTestManager(t, st, clk, nil)
	first := st.stored(t).Keys[0].KID
	clk.Advance(-time.Second) // another instance's clock was ahead
	if got := m.Active().ID(); got != first {
		t.Errorf("Active() = %s, want the earliest key %s", got, first)
	}
	if got := m.Algorithms(); len(got) != 1 || got[0] != jose.ES256 {
		t.Errorf("Algorithms() = %v", got)
	}
}

// assertOneActive checks that exactly one stored key is active at now: it
// has started and has not been deactivated.
func assertOneActive(t testing.TB, set storedSet, now time.Time) {
	t.Helper()
	var active []string
	for _, k := range set.Keys {
		if !k.ActivateAt.After(now) && (k.DeactivateAt.IsZero() || k.DeactivateAt.After(now)) {
			active = append(active, k.KID)
		}
	}
	if len(active) != 1 {
		t.Fatalf("%d keys active at %s: %q", len(active), now, active)
	}
}

// TestRotateNowNeverSplitsInstances: an administrator's rotation is
// scheduled two check intervals ahead, so an instance that reloads the set
// within one check interval agrees with the rotating one at every instant,
// and the key that starts signing is one it already publishes.
func TestRotateNowNeverSplitsInstances(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	t0 := clk.Now()
	m := newTestManager(t, st, clk, nil)
	other := newTestManager(t, st, clk, nil)
	ctx := context.Background()
	for _, start := range []time.Duration{time.Hour, testPeriod, testPeriod + time.Minute} {
		clk.Set(t0.Add(start))
		for _, mm := range []*Manager{m, other} {
			if err := mm.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.RotateNow(ctx); err != nil {
			t.Fatal(err)
		}
		rotatedAt := clk.Now()
		switchAt := rotatedAt.Add(2 * testInterval)
		for _, at := range []time.Duration{0, testInterval / 2, testInterval, 2*testInterval - time.Nanosecond, 2 * testInterval, 3 * testInterval} {
			clk.Set(rotatedAt.Add(at))
			if at == testInterval {
				if err := other.Refresh(ctx); err != nil { // its regular reload
					t.Fatal(err)
				}
			}
			if a, b := m.Active().ID(), other.Active().ID(); a != b {
				t.Fatalf("rotation at +%v: at +%v the instances disagree (%s vs %s)", start, at, a, b)
			}
		}
		clk.Set(switchAt)
		if !slices.Contains(publishedIDs(other), m.Active().ID()) {
			t.Fatalf("the other instance does not publish the new key %s", m.Active().ID())
		}
	}
}
