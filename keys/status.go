package keys

import "time"

// ActiveSince is when the key that signs now started signing (its
// activate_at), zero when no key is active yet. The broker exports it with
// RotationPeriod, so an alert can tell a rotation that did not happen when
// it was due: a set stuck on one key (its successor never published, e.g.
// every instance failing to write to the store) shows an active key older
// than the period.
func (m *Manager) ActiveSince() time.Time {
	s := m.snap.Load()
	if i := activeIndex(s.entries, m.opts.Now()); i >= 0 {
		return s.entries[i].ActivateAt
	}
	return time.Time{}
}

// RotationPeriod is how long a key signs before its successor takes over.
func (m *Manager) RotationPeriod() time.Duration { return m.opts.RotationPeriod }
