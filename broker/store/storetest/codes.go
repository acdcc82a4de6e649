package storetest

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var codeTests = []test{
	{"ConsumeOnceThenReplayed", testCodeConsumeOnce},
	{"UnknownIsNotFound", testCodeUnknown},
	{"SaveExistingConflicts", testCodeSaveExisting},
	{"ConcurrentConsumptionsOneWins", testCodeConcurrentConsume},
}

func testCodeConsumeOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	code, ar := newID("code"), newID("ar")
	must(t, "save", s.SaveCode(ctx, code, ar, time.Minute))
	id, err := s.ConsumeCode(ctx, code, time.Hour)
	must(t, "consume", err)
	if id != ar {
		t.Fatalf("consume: auth request %q, want %q", id, ar)
	}
	for range 2 {
		id, err = s.ConsumeCode(ctx, code, time.Hour)
		wantErr(t, "consume again", err, store.ErrCodeReplayed)
		if id != ar {
			t.Fatalf("replay: auth request %q, want %q (so the caller can revoke)", id, ar)
		}
	}
}

func testCodeUnknown(t *testing.T, s store.Store) {
	id, err := s.ConsumeCode(t.Context(), newID("code"), time.Hour)
	wantErr(t, "consume unknown", err, store.ErrNotFound)
	if id != "" {
		t.Fatalf("consume unknown: auth request %q, want none", id)
	}
}

// A code hash is stored once: saving it again, before or after it was
// consumed, must not revive it.
func testCodeSaveExisting(t *testing.T, s store.Store) {
	ctx := t.Context()
	code, ar := newID("code"), newID("ar")
	must(t, "save", s.SaveCode(ctx, code, ar, time.Minute))
	wantErr(t, "save again", s.SaveCode(ctx, code, newID("ar"), time.Minute), store.ErrConflict)
	_, err := s.ConsumeCode(ctx, code, time.Hour)
	must(t, "consume", err)
	wantErr(t, "save consumed", s.SaveCode(ctx, code, ar, time.Minute), store.ErrConflict)
	_, err = s.ConsumeCode(ctx, code, time.Hour)
	wantErr(t, "consume after save of consumed", err, store.ErrCodeReplayed)
}

func testCodeConcurrentConsume(t *testing.T, s store.Store) {
	ctx := t.Context()
	code, ar := newID("code"), newID("ar")
	must(t, "save", s.SaveCode(ctx, code, ar, time.Minute))
	ids := make([]string, contenders)
	errs := concurrently(contenders, func(i int) error {
		var err error
		ids[i], err = s.ConsumeCode(ctx, code, time.Hour)
		return err
	})
	oneWinner(t, "consume", errs, store.ErrCodeReplayed)
	for i, id := range ids {
		if id != ar {
			t.Errorf("attempt %d (error %v): auth request %q, want %q", i, errs[i], id, ar)
		}
	}
}
