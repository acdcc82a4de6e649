package storetest

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var valueTests = []test{
	{"SetGetDelete", testValueSetGetDelete},
	{"AddOnlyWhenAbsent", testValueAddOnlyWhenAbsent},
	{"TakeOnce", testValueTakeOnce},
	{"Expire", testValueExpire},
	{"RefuseBadInput", testValueRefuseBadInput},
}

func testValueSetGetDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	key := newID("val")
	_, err := s.GetValue(ctx, key)
	wantErr(t, "get unknown", err, store.ErrNotFound)
	must(t, "set", s.SetValue(ctx, key, []byte("one\x00\xff"), time.Hour))
	must(t, "set again", s.SetValue(ctx, key, []byte("two\x00\xff"), time.Hour))
	got, err := s.GetValue(ctx, key)
	must(t, "get", err)
	if !bytes.Equal(got, []byte("two\x00\xff")) {
		t.Fatalf("get: %q, want the second value with its binary bytes intact", got)
	}
	got[0] = 'X' // the caller's copy is its own
	again, err := s.GetValue(ctx, key)
	must(t, "get again", err)
	if again[0] != 't' {
		t.Fatalf("changing a returned value changed the stored one: %q", again)
	}
	must(t, "delete", s.DeleteValue(ctx, key))
	_, err = s.GetValue(ctx, key)
	wantErr(t, "get deleted", err, store.ErrNotFound)
	must(t, "delete unknown", s.DeleteValue(ctx, key))
}

func testValueAddOnlyWhenAbsent(t *testing.T, s store.Store) {
	ctx := t.Context()
	key := newID("val")
	errs := concurrently(contenders, func(i int) error { return s.AddValue(ctx, key, []byte{byte(i)}, time.Hour) })
	oneWinner(t, "concurrent adds", errs, store.ErrConflict)
}

func testValueTakeOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	key := newID("val")
	must(t, "set", s.SetValue(ctx, key, []byte("ticket"), time.Hour))
	var got atomic.Int64
	errs := concurrently(contenders, func(int) error {
		v, err := s.TakeValue(ctx, key)
		if err == nil {
			if string(v) != "ticket" {
				t.Errorf("take: %q", v)
			}
			got.Add(1)
			return nil
		}
		wantErr(t, "losing take", err, store.ErrNotFound)
		return nil
	})
	for _, err := range errs {
		must(t, "take", err)
	}
	if got.Load() != 1 {
		t.Fatalf("%d concurrent takes got the value, want exactly 1", got.Load())
	}
	_, err := s.GetValue(ctx, key)
	wantErr(t, "get after take", err, store.ErrNotFound)
}

func testValueExpire(t *testing.T, s store.Store) {
	ctx := t.Context()
	key, added := newID("val"), newID("val")
	must(t, "set", s.SetValue(ctx, key, []byte("x"), 300*time.Millisecond))
	must(t, "add", s.AddValue(ctx, added, []byte("x"), 300*time.Millisecond))
	time.Sleep(450 * time.Millisecond)
	_, err := s.GetValue(ctx, key)
	wantErr(t, "get expired", err, store.ErrNotFound)
	_, err = s.TakeValue(ctx, key)
	wantErr(t, "take expired", err, store.ErrNotFound)
	must(t, "add over an expired value", s.AddValue(ctx, added, []byte("y"), time.Hour))
}

func testValueRefuseBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	for name, err := range map[string]error{
		"set empty key":     s.SetValue(ctx, "", []byte("x"), time.Hour),
		"add empty key":     s.AddValue(ctx, "", []byte("x"), time.Hour),
		"set zero lifetime": s.SetValue(ctx, newID("val"), []byte("x"), 0),
		"add negative ttl":  s.AddValue(ctx, newID("val"), []byte("x"), -time.Second),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
