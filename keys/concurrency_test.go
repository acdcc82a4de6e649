package keys

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestTwoManagersAgreeUnderConcurrentRotation(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	never := func(o *Options) { o.RetireAfter = 1000 * time.Hour } // keep every key, to count them
	a := newTestManager(t, st, clk, never)
	b := newTestManager(t, st, clk, never)
	if a.Active().ID() != b.Active().ID() {
		t.Fatalf("second instance created its own key set")
	}
	ctx := context.Background()

	var rotations, conflicts atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 16 {
		m := a
		if i%2 == 1 {
			m = b
		}
		wg.Go(func() {
			for j := range 6 {
				var err error
				if (i+j)%3 == 0 {
					err = m.RotateNow(ctx)
					if err == nil {
						rotations.Add(1)
					}
				} else {
					err = m.Refresh(ctx)
				}
				switch {
				case errors.Is(err, ErrVersionConflict):
					conflicts.Add(1) // retries exhausted: allowed, nothing written
				case err != nil:
					t.Errorf("goroutine %d: %v", i, err)
				}
				clk.Advance(3 * testInterval) // past any switch RotateNow scheduled
			}
		})
	}
	var readers sync.WaitGroup
	for _, m := range []*Manager{a, b} {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				time.Sleep(10 * time.Microsecond)
				k := m.Active()
				if len(m.Published()) == 0 || len(m.JWKS()) == 0 || k.ID() == "" || k.Key() == nil {
					t.Error("hot path served an empty key set")
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Active().ID() != b.Active().ID() || a.Version() != b.Version() {
		t.Fatalf("instances disagree: %s@%d vs %s@%d", a.Active().ID(), a.Version(), b.Active().ID(), b.Version())
	}
	set := st.stored(t)
	assertOneActive(t, set, clk.Now())
	if _, _, err := decodeSet(a.sealer, mustGet(t, st)); err != nil {
		t.Fatalf("stored set does not load: %v", err)
	}
	// A rotation adds one key, except one that found a switch already due
	// (two goroutines at one instant), which changes nothing.
	if got, most := len(set.Keys), 2+int(rotations.Load()); got < 3 || got > most {
		t.Errorf("stored %d keys after %d rotations, want 3..%d", got, rotations.Load(), most)
	}
	_, swaps, lost := st.stats()
	t.Logf("%d rotations, %d writes, %d lost swaps, %d calls out of retries", rotations.Load(), swaps, lost, conflicts.Load())
}

func TestLostSwapAdoptsTheWinnersKeySet(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	var winner *Manager
	st.beforeSwap = func() {
		// Another instance starts and stores its set first.
		winner = newTestManager(t, st, clk, nil)
	}
	loser := newTestManager(t, st, clk, nil)

	_, swaps, conflicts := st.stats()
	if conflicts != 1 || swaps != 1 {
		t.Fatalf("%d conflicts, %d writes; want 1 and 1", conflicts, swaps)
	}
	if loser.Active().ID() != winner.Active().ID() || loser.Version() != winner.Version() {
		t.Errorf("after a lost swap the instance serves %s@%d, the store holds %s@%d",
			loser.Active().ID(), loser.Version(), winner.Active().ID(), winner.Version())
	}
	assertIDs(t, "Published", publishedIDs(loser), publishedIDs(winner))
}

func TestLostSwapDuringRotationRotatesTheNewSet(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	a := newTestManager(t, st, clk, nil)
	b := newTestManager(t, st, clk, nil)
	ctx := context.Background()

	st.beforeSwap = func() {
		if err := b.RotateNow(ctx); err != nil {
			t.Errorf("b.RotateNow: %v", err)
		}
	}
	if err := a.RotateNow(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// b's rotation won; a's retry found that switch already due and added
	// nothing. At the switch both instances move to the same key.
	set := st.stored(t)
	if len(set.Keys) != 3 {
		t.Fatalf("stored %d keys, want 3 (one rotation on top of two keys)", len(set.Keys))
	}
	clk.Advance(2 * testInterval)
	if a.Active().ID() != set.Keys[1].KID || b.Active().ID() != a.Active().ID() {
		t.Errorf("Active() = %s / %s, want %s", a.Active().ID(), b.Active().ID(), set.Keys[1].KID)
	}
}

func TestSwapConflictsGiveUpAfterBoundedRetries(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	m := newTestManager(t, st, clk, nil)
	active := m.Active().ID()

	// Another writer wins every race.
	var bump func()
	bump = func() {
		st.put(mustGet(t, st))
		st.mu.Lock()
		st.beforeSwap = bump
		st.mu.Unlock()
	}
	st.beforeSwap = bump
	err := m.RotateNow(context.Background())
	if !errors.Is(err, ErrVersionConflict) {
		t.Fatalf("err %v, want ErrVersionConflict", err)
	}
	if _, _, conflicts := st.stats(); conflicts != maxAttempts {
		t.Errorf("%d attempts, want %d", conflicts, maxAttempts)
	}
	if m.Active().ID() != active {
		t.Errorf("a failed rotation changed the active key")
	}
}

func mustGet(t testing.TB, st *memStore) []byte {
	t.Helper()
	data, _, err := st.GetKeySet(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return data
}
