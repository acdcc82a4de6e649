package login

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store/memory"
)

// The per-address limit counts in fixed windows: an address that keeps
// signing in (the soak's visits, an office behind one NAT address) starts
// from zero in every window, however short the gaps between attempts.
func TestIPAttemptsCountInFixedWindows(t *testing.T) {
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	l := &Login{o: Options{Store: st, Now: func() time.Time { return now }}}
	for _, step := range []struct {
		after time.Duration
		ip    string
		want  int64
	}{
		{0, "10.0.0.1", 1},
		{20 * time.Second, "10.0.0.1", 2},
		{20 * time.Second, "10.0.0.2", 1}, // another address counts apart
		{19 * time.Second, "10.0.0.1", 3}, // 09:00:59, still the first minute
		{1 * time.Second, "10.0.0.1", 1},  // 09:01:00: a new window
		{30 * time.Second, "10.0.0.1", 2},
		{30 * time.Second, "10.0.0.1", 1},
		{30 * time.Second, "10.0.0.1", 2},
		{30 * time.Second, "10.0.0.1", 1},
	} {
		now = now.Add(step.after)
		n, err := l.ipAttempts(t.Context(), "login", step.ip, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if n != step.want {
			t.Fatalf("%s from %s: count %d, want %d", now.Format(time.TimeOnly), step.ip, n, step.want)
		}
	}
}
