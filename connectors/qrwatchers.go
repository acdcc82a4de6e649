package connectors

import "sync"

// QRWatchers are this process's waiters on QR sessions' state changes, by
// session ID: what an implementation of QRSessions registers in WatchQR
// and wakes when a session changes (the memory store and the test double
// on each step, the Redis store on each event from any instance). The zero
// value is ready. A wake runs outside the lock, so it may watch or stop.
type QRWatchers struct {
	mu   sync.Mutex
	byID map[string]map[*qrWatcher]struct{}
}

// qrWatcher is one registration; its address tells two registrations of
// the same function apart.
type qrWatcher struct{ wake func() }

// Watch registers wake for id until stop, which may be called any number
// of times; the last stop of an ID forgets the ID.
func (w *QRWatchers) Watch(id string, wake func()) (stop func()) {
	r := &qrWatcher{wake: wake}
	w.mu.Lock()
	if w.byID == nil {
		w.byID = map[string]map[*qrWatcher]struct{}{}
	}
	set := w.byID[id]
	if set == nil {
		set = map[*qrWatcher]struct{}{}
		w.byID[id] = set
	}
	set[r] = struct{}{}
	w.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			if set := w.byID[id]; set != nil {
				delete(set, r)
				if len(set) == 0 {
					delete(w.byID, id)
				}
			}
		})
	}
}

// Wake calls every wake registered for id.
func (w *QRWatchers) Wake(id string) {
	w.mu.Lock()
	wakes := make([]func(), 0, len(w.byID[id]))
	for r := range w.byID[id] {
		wakes = append(wakes, r.wake)
	}
	w.mu.Unlock()
	for _, wake := range wakes {
		wake()
	}
}

// WakeAll calls every registered wake, as after a gap in which changes may
// have been missed.
func (w *QRWatchers) WakeAll() {
	w.mu.Lock()
	var wakes []func()
	for _, set := range w.byID {
		for r := range set {
			wakes = append(wakes, r.wake)
		}
	}
	w.mu.Unlock()
	for _, wake := range wakes {
		wake()
	}
}
