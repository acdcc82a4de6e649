package combined_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/combined"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/broker/store/pgtest"
)

// With PostgreSQL durable writes in InTx are one transaction; hot state is
// not part of it. With another durable side they are written one by one.
func TestInTx(t *testing.T) {
	t.Parallel()
	errStop := errors.New("stop")
	for _, tc := range []struct {
		name       string
		durable    combined.Durable
		unitStays  bool
		valueStays bool
	}{
		{"postgres", pgtest.Open(t), false, true},
		{"memory", memory.New(), true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := combined.New(memory.New(), tc.durable)
			t.Cleanup(func() { s.Close() })
			ctx := t.Context()
			err := s.InTx(ctx, func(tx store.Store) error {
				if err := tx.AddUnit(ctx, &store.Unit{ID: "u1", CreatedAt: time.Now().UTC()}); err != nil {
					return err
				}
				if err := tx.SetValue(ctx, "k", []byte("v"), time.Hour); err != nil {
					return err
				}
				return errStop
			})
			if !errors.Is(err, errStop) {
				t.Fatalf("InTx: %v", err)
			}
			_, err = s.GetUnit(ctx, "u1")
			if stays := err == nil; stays != tc.unitStays {
				t.Errorf("unit written before the failure stays: %v, want %v", stays, tc.unitStays)
			}
			_, err = s.GetValue(ctx, "k")
			if stays := err == nil; stays != tc.valueStays {
				t.Errorf("hot value stays: %v, want %v", stays, tc.valueStays)
			}
		})
	}
}
