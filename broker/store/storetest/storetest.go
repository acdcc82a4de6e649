// Package storetest is the conformance suite every store.Store passes: the
// memory store and the Redis store (standalone and cluster) run the same
// tests, so the broker cannot tell them apart.
//
// Every leaf test gets its own store from newStore and uses fresh random
// IDs, so tests run in parallel and can share a backend.
package storetest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// test is one behaviour checked against a fresh store.
type test struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// Run checks that the stores newStore returns behave as the store package
// documents. newStore is called once per leaf test with that test's t; it
// registers whatever cleanup the store needs (Close, deleting keys).
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"AuthRequests", authRequestTests},
		{"Codes", codeTests},
		{"RefreshTokens", refreshTests},
		{"Revocations", revocationTests},
		{"Sessions", sessionTests},
		{"Counters", counterTests},
		{"Values", valueTests},
		{"QRSessions", qrTests},
		{"Logouts", logoutTests},
		{"KeySets", keySetTests},
		{"Clients", clientTests},
		{"Accounts", accountTests},
		{"Units", unitTests},
		{"Links", linkTests},
		{"Audit", auditTests},
		{"Staff", staffTests},
		{"Expiry", expiryTests},
		{"Copies", copyTests},
		{"Validation", validationTests},
		{"Ping", pingTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, newStore(t))
				})
			}
		})
	}
}

// newID returns a random identifier that no other test uses.
func newID(kind string) string { return kind + "-" + strings.ToLower(rand.Text()) }

// now is the current time as it survives any backend: UTC, milliseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// collect pages through list with page size 2 and returns what it saw.
func collect[T any](t *testing.T, what string, list func(cursor string, limit int) ([]*T, string, error)) []*T {
	t.Helper()
	var all []*T
	cursor := ""
	for range 100 {
		page, next, err := list(cursor, 2)
		must(t, what, err)
		if len(page) > 2 {
			t.Fatalf("%s: page of %d with limit 2", what, len(page))
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
	t.Fatalf("%s: paging does not end", what)
	return nil
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// must fails on any error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// sameJSON fails unless got and want encode to the same JSON: the stores
// keep JSON, so that is the equality they promise (times compare by
// instant, nil and empty slices with omitempty alike).
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := mustMarshal(t, got), mustMarshal(t, want); string(g) != string(w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	return b
}

// concurrently runs f(0)…f(n-1) in n goroutines released together and
// returns their errors by index.
func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner fails unless exactly one error is nil and every other one is
// one of losers; it returns the winner's index.
func oneWinner(t *testing.T, what string, errs []error, losers ...error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("%s: both %d and %d succeeded", what, winner, i)
			}
			winner = i
			continue
		}
		ok := false
		for _, l := range losers {
			ok = ok || errors.Is(err, l)
		}
		if !ok {
			t.Fatalf("%s: attempt %d: error %v, want one of %v", what, i, err, losers)
		}
	}
	if winner < 0 {
		t.Fatalf("%s: no attempt succeeded", what)
	}
	return winner
}

// contenders is how many goroutines race in the concurrency tests.
const contenders = 16
