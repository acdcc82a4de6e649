package redisstore

import (
	"errors"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// TestRotationSurvivesStoreFailures: a store failure must not revoke a
// family whose client did nothing wrong. A rotation run again with the
// same new hash (go-redis retrying after a lost reply) succeeds, and one
// that reaches Redis after its caller's deadline (it waited in a frozen
// server's socket while the client was answered 503) changes nothing, so
// the client's token stays current.
func TestRotationSurvivesStoreFailures(t *testing.T) {
	t.Parallel()
	o, err := goredis.ParseURL(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	prefix := redistest.Prefix(t)
	redistest.CleanupKeys(t, c, prefix)
	s := New(c, prefix)
	ctx := t.Context()
	hour := time.Now().Add(time.Hour)
	if err := s.CreateRefreshToken(ctx, "h1", &store.RefreshToken{FamilyID: "f", ExpiresAt: hour}); err != nil {
		t.Fatal(err)
	}

	for i := range 2 {
		if err := s.RotateRefreshToken(ctx, "f", "h1", "h2", &store.RefreshToken{ExpiresAt: hour}); err != nil {
			t.Fatalf("rotation h1→h2, run %d: %v", i+1, err)
		}
	}
	if _, err := s.GetRefreshToken(ctx, "f", "h2"); err != nil {
		t.Fatalf("h2 after a repeated rotation: %v", err)
	}

	late := time.Now().Add(-time.Second).UnixMilli()
	keys := []string{s.k.familyCur("f"), s.k.member("f", "h2"), s.k.member("f", "h3")}
	res, err := rotateRefreshToken.Run(ctx, c, keys, "h2", "h3", `{}`, 60_000, late).Text()
	if err != nil || res != "late" {
		t.Fatalf("rotation past its deadline: %q, %v; want late", res, err)
	}
	if err := s.familyStatus("rotate", "f", res); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("late rotation: %v, want ErrUnavailable", err)
	}
	if _, err := s.GetRefreshToken(ctx, "f", "h2"); err != nil {
		t.Fatalf("h2 after a late rotation: %v, want still current", err)
	}
	if _, err := s.GetRefreshToken(ctx, "f", "h3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("h3 after a late rotation: %v, want unknown", err)
	}
}
