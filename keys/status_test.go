package keys

import (
	"testing"
	"time"
)

// TestActiveSince follows the schedule: the first key's activation, then
// its successor's exactly at the switch; a set left without a successor
// keeps reporting the old key's start as the clock runs past the period.
func TestActiveSince(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	t0 := clk.Now()
	m := newTestManager(t, st, clk, nil)
	if m.RotationPeriod() != testPeriod {
		t.Fatalf("RotationPeriod = %s, want %s", m.RotationPeriod(), testPeriod)
	}
	first := st.stored(t).Keys[0].ActivateAt
	if got := m.ActiveSince(); !got.Equal(first) || got.After(t0) {
		t.Fatalf("ActiveSince = %s, want the first key's activation %s (≤ %s)", got, first, t0)
	}
	clk.Set(first.Add(testPeriod - time.Nanosecond))
	if got := m.ActiveSince(); !got.Equal(first) {
		t.Fatalf("just before the switch ActiveSince = %s, want %s", got, first)
	}
	clk.Set(first.Add(testPeriod))
	if got := m.ActiveSince(); !got.Equal(first.Add(testPeriod)) {
		t.Fatalf("at the switch ActiveSince = %s, want %s", got, first.Add(testPeriod))
	}
	// No Refresh ran, so no successor was published: past the second
	// period the active key is older than RotationPeriod.
	clk.Set(first.Add(3 * testPeriod))
	if age := clk.Now().Sub(m.ActiveSince()); age <= m.RotationPeriod() {
		t.Fatalf("without refreshes the active key is %s old, want more than %s", age, m.RotationPeriod())
	}
}
