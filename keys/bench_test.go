package keys

import (
	"testing"
	"time"
)

// benchManager uses the real clock, as production does.
func benchManager(b *testing.B) *Manager {
	b.Helper()
	return newTestManager(b, &memStore{}, newFakeClock(), func(o *Options) { o.Now = time.Now })
}

func BenchmarkActive(b *testing.B) {
	m := benchManager(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Active()
	}
}

func BenchmarkJWKS(b *testing.B) {
	m := benchManager(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.JWKS()
	}
}

func BenchmarkPublished(b *testing.B) {
	m := benchManager(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Published()
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	m := newTestManager(t, &memStore{}, newFakeClock(), func(o *Options) { o.Now = time.Now })
	for name, f := range map[string]func(){
		"Active":     func() { _ = m.Active() },
		"Published":  func() { _ = m.Published() },
		"JWKS":       func() { _ = m.JWKS() },
		"Algorithms": func() { _ = m.Algorithms() },
		"Version":    func() { _ = m.Version() },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %.0f times per call", name, n)
		}
	}
}
