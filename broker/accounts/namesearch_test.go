package accounts_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/combined"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/broker/store/pgtest"
)

// TestSearchNames: a part of a name finds the units and persons holding
// it, at most limit of each; PostgreSQL searches the whole tables, a store
// that can only be scanned says when its scan stopped short.
func TestSearchNames(t *testing.T) {
	t.Parallel()
	seed := func(t *testing.T, st store.Store, units int) {
		ctx := t.Context()
		now := time.Now().UTC()
		for i := range units {
			if err := st.AddUnit(ctx, &store.Unit{ID: fmt.Sprintf("u%05d", i), Name: fmt.Sprintf("单位%05d", i), Status: "active", CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		for i, name := range []string{"张三", "张三丰", "李四"} {
			if err := st.PutPerson(ctx, &store.Person{ID: fmt.Sprintf("p%d", i), Name: name, IDHash: fmt.Sprintf("h%d", i), Status: "active", CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name         string
		open         func(t *testing.T) store.Store
		wantComplete bool
	}{
		{"memory", func(*testing.T) store.Store { return memory.New() }, false},
		{"postgres", func(t *testing.T) store.Store { return combined.New(memory.New(), pgtest.Open(t)) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := tc.open(t)
			t.Cleanup(func() { st.Close() })
			// One more unit than a scan reads; the last one's name is unique.
			seed(t, st, accounts.MaxNameScan+1)
			svc := accounts.New(st, testSecrets)
			units, persons, _, err := svc.SearchNames(t.Context(), "张三", 10)
			if err != nil || len(units) != 0 || len(persons) != 2 || persons[0].Name != "张三" || persons[1].Name != "张三丰" {
				t.Fatalf("张三: %v %v %v", units, persons, err)
			}
			units, _, complete, err := svc.SearchNames(t.Context(), fmt.Sprintf("单位%05d", accounts.MaxNameScan), 10)
			if err != nil || complete != tc.wantComplete || (len(units) == 1) != tc.wantComplete {
				t.Fatalf("the last unit: %d found, complete %v (want %v), %v", len(units), complete, tc.wantComplete, err)
			}
			units, _, _, err = svc.SearchNames(t.Context(), "单位", 7)
			if err != nil || len(units) != 7 {
				t.Fatalf("limit 7: %d units, %v", len(units), err)
			}
		})
	}
}
