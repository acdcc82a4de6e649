package connectors

import (
	"maps"
	"testing"
)

// TestQRWatchers: a wake reaches the waiters of its ID only, as often as
// they registered, until they stop; WakeAll reaches everyone; a wake may
// stop and watch again without deadlock; a stopped ID is forgotten.
func TestQRWatchers(t *testing.T) {
	t.Parallel()
	var w QRWatchers
	woken := map[string]int{}
	count := func(name string) func() { return func() { woken[name]++ } }
	stopA1 := w.Watch("qr-a", count("a1"))
	stopA2 := w.Watch("qr-a", count("a2"))
	same := count("twice")
	w.Watch("qr-b", same)
	stopB2 := w.Watch("qr-b", same)

	steps := []struct {
		name string
		do   func()
		want map[string]int
	}{
		{"wake qr-a", func() { w.Wake("qr-a") }, map[string]int{"a1": 1, "a2": 1}},
		{"wake an ID nobody watches", func() { w.Wake("qr-z") }, map[string]int{"a1": 1, "a2": 1}},
		{"one function registered twice is woken twice", func() { w.Wake("qr-b") }, map[string]int{"a1": 1, "a2": 1, "twice": 2}},
		{"stop one of qr-b's, twice", func() { stopB2(); stopB2(); w.Wake("qr-b") }, map[string]int{"a1": 1, "a2": 1, "twice": 3}},
		{"wake all", func() { w.WakeAll() }, map[string]int{"a1": 2, "a2": 2, "twice": 4}},
		{"stop a1", func() { stopA1(); w.Wake("qr-a") }, map[string]int{"a1": 2, "a2": 3, "twice": 4}},
	}
	for _, s := range steps {
		s.do()
		if !maps.Equal(woken, s.want) {
			t.Fatalf("%s: woken %v, want %v", s.name, woken, s.want)
		}
	}
	if n := watching(&w); n != 2 {
		t.Errorf("watching %d IDs, want 2", n)
	}
	stopA2()
	if n := watching(&w); n != 1 {
		t.Errorf("after qr-a's last stop: watching %d IDs, want 1 (qr-a forgotten)", n)
	}

	// A wake that stops itself and watches again runs outside the lock.
	var stop func()
	again := 0
	stop = w.Watch("qr-c", func() {
		stop()
		stop = w.Watch("qr-c", func() { again++ })
	})
	w.Wake("qr-c")
	w.Wake("qr-c")
	if again != 1 {
		t.Errorf("the re-registered wake ran %d times, want 1", again)
	}
}

// watching is how many IDs have a registration.
func watching(w *QRWatchers) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.byID)
}
