package stats

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store/memory"
)

// TestCountsPerHourAndDay: events land in their hour and day; the series
// read back oldest first, 24 hours and 30 days long.
func TestCountsPerHourAndDay(t *testing.T) {
	t.Parallel()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	s := New(st, nil)
	now := time.Date(2026, 12, 5, 10, 30, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	ctx := context.Background()
	for _, e := range []audit.Event{
		{Type: audit.LoginSuccess, Connector: "password"},
		{Type: audit.LoginSuccess, Connector: "password"},
		{Type: audit.LoginFailure, Connector: "password", Outcome: audit.Failure},
		{Type: audit.LoginLockout, Connector: "password"},
		{Type: "qr.confirm", Outcome: audit.Success},
		{Type: "qr.confirm", Outcome: audit.Failure},
		{Type: audit.AdminChange},
	} {
		s.Observe(ctx, e)
	}
	now = now.Add(-3 * time.Hour) // an earlier hour, the same day
	s.Observe(ctx, audit.Event{Type: audit.LoginSuccess, Connector: "password"})
	now = now.Add(3 * time.Hour)

	hours, err := s.Hours(ctx, Login("password", "success"))
	if err != nil || len(hours) != 24 || hours[23] != 2 || hours[20] != 1 {
		t.Fatalf("hours %v %v, want 2 now and 1 three hours ago", hours, err)
	}
	days, _ := s.Days(ctx, Login("password", "success"))
	if len(days) != 30 || days[29] != 3 || slices.Max(days[:29]) != 0 {
		t.Fatalf("days %v, want 3 today", days)
	}
	for series, want := range map[string]int64{Login("password", "failure"): 1, Lockouts: 1, QRLogins: 1} {
		if d, _ := s.Days(ctx, series); d[29] != want {
			t.Errorf("%s today = %d, want %d", series, d[29], want)
		}
	}
	for g, want := range map[string]string{"authorization_code": "authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange": "token_exchange", "password": "other"} {
		if got := grantName(g); got != want {
			t.Errorf("grantName(%s) = %s, want %s", g, got, want)
		}
	}
}
