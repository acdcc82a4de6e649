package combined_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// WithTx: every durable write under the context it gives is one
// transaction (a unit and its audit event: both or neither); outside it
// they are not; hot state never is.
func TestWithTx(t *testing.T) {
	t.Parallel()
	errStop := errors.New("stop")
	s := combined.New(memory.New(), pgtest.Open(t))
	t.Cleanup(func() { s.Close() })
	write := func(ctx context.Context, unit string) error {
		if err := s.AddUnit(ctx, &store.Unit{ID: unit, CreatedAt: time.Now().UTC()}); err != nil {
			return err
		}
		if _, err := s.AppendAudit(ctx, []byte(`{"type":"admin.change","principal":"`+unit+`"}`), time.Hour); err != nil {
			return err
		}
		return s.SetValue(ctx, "hot-"+unit, []byte("v"), time.Hour)
	}
	auditFor := func(unit string) int {
		recs, err := s.ReadAudit(t.Context(), time.Time{}, "", time.Time{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if strings.Contains(string(r.Data), unit) {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		unit string
		fail bool
	}{{"u-rolled-back", true}, {"u-committed", false}} {
		err := s.WithTx(t.Context(), func(ctx context.Context) error {
			if err := write(ctx, tc.unit); err != nil {
				return err
			}
			// Inside, the transaction reads its own writes.
			if _, err := s.GetUnit(ctx, tc.unit); err != nil {
				return fmt.Errorf("read own write: %w", err)
			}
			if tc.fail {
				return errStop
			}
			return nil
		})
		if tc.fail != errors.Is(err, errStop) || (!tc.fail && err != nil) {
			t.Fatalf("%s: WithTx: %v", tc.unit, err)
		}
		_, uerr := s.GetUnit(t.Context(), tc.unit)
		if stays := uerr == nil; stays == tc.fail {
			t.Errorf("%s: unit stays %v after fail=%v", tc.unit, stays, tc.fail)
		}
		if n := auditFor(tc.unit); (n == 1) == tc.fail {
			t.Errorf("%s: %d audit events after fail=%v", tc.unit, n, tc.fail)
		}
		if _, err := s.GetValue(t.Context(), "hot-"+tc.unit); err != nil {
			t.Errorf("%s: hot value rolled back with the transaction: %v", tc.unit, err)
		}
	}
}
