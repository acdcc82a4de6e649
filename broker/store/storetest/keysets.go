package storetest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/gjjid/gjjid/broker/store"
)

var keySetTests = []test{
	{"NoneStoredIsNotFound", testKeySetNone},
	{"SwapComparesVersion", testKeySetSwap},
	{"ConcurrentSwapsOneWins", testKeySetConcurrentSwaps},
}

func testKeySetNone(t *testing.T, s store.Store) {
	_, _, err := s.GetKeySet(t.Context())
	wantErr(t, "get", err, store.ErrNotFound)
}

func testKeySetSwap(t *testing.T, s store.Store) {
	ctx := t.Context()
	d1, d2 := []byte(`{"keys":[1]}`), []byte("\x00binary\xff")
	v, err := s.SwapKeySet(ctx, 0, d1)
	must(t, "first swap", err)
	if v != 1 {
		t.Fatalf("first swap: version %d, want 1", v)
	}
	_, err = s.SwapKeySet(ctx, 0, d2)
	wantErr(t, "swap from 0 again", err, store.ErrConflict)
	v, err = s.SwapKeySet(ctx, 1, d2)
	must(t, "second swap", err)
	if v != 2 {
		t.Fatalf("second swap: version %d, want 2", v)
	}
	_, err = s.SwapKeySet(ctx, 1, d1)
	wantErr(t, "stale swap", err, store.ErrConflict)
	_, err = s.SwapKeySet(ctx, 3, d1)
	wantErr(t, "swap from a future version", err, store.ErrConflict)

	data, v, err := s.GetKeySet(ctx)
	must(t, "get", err)
	if v != 2 || !bytes.Equal(data, d2) {
		t.Fatalf("get: %q version %d, want %q version 2", data, v, d2)
	}
}

func testKeySetConcurrentSwaps(t *testing.T, s store.Store) {
	ctx := t.Context()
	errs := concurrently(contenders, func(i int) error {
		v, err := s.SwapKeySet(ctx, 0, fmt.Appendf(nil, "set %d", i))
		if err == nil && v != 1 {
			return fmt.Errorf("version %d, want 1", v)
		}
		return err
	})
	w := oneWinner(t, "swap", errs, store.ErrConflict)
	data, v, err := s.GetKeySet(ctx)
	must(t, "get", err)
	if want := fmt.Sprintf("set %d", w); string(data) != want || v != 1 {
		t.Fatalf("get: %q version %d, want %q version 1", data, v, want)
	}
}
