package keys

import (
	"slices"
	"time"
)

// planner decides how a key set must change at a given instant. Its methods
// are pure apart from drawing new keys from a keyPool: they never modify
// their input and return a nil change list when nothing is to be written.
type planner struct {
	period   time.Duration // RotationPeriod
	ahead    time.Duration // PublishAhead
	interval time.Duration // CheckInterval
	retire   time.Duration // RetireAfter
}

// change describes one step of a plan, for the log.
type change struct {
	what string
	kid  string
	at   time.Time
}

// refresh keeps the schedule going: it creates a set when there is none,
// drops keys whose retirement grace has ended, and keeps a next key
// published at all times, activating when the active key's period ends but
// never less than PublishAhead from now. Publishing it at once (rather than
// PublishAhead before it is due) means every instance and every cached JWKS
// already knows the key RotateNow will activate, so an unscheduled rotation
// never signs with a key another instance cannot yet verify.
func (p planner) refresh(cur []entry, now time.Time, pool *keyPool) ([]entry, []change, error) {
	if len(cur) == 0 {
		return p.create(now, pool)
	}
	out, changes := p.dropExpired(cur, now)
	a := activeIndex(out, now)
	if a < 0 || a < len(out)-1 {
		return out, changes, nil // a next key is already published
	}
	end := out[a].ActivateAt.Add(p.period)
	next, err := pool.take()
	if err != nil {
		return nil, nil, err
	}
	next.ActivateAt = later(end, now.Add(p.ahead))
	out = appendNewest(out, next)
	return out, append(changes, change{"published next key", next.KID, next.ActivateAt}), nil
}

// rotate schedules the published next key to take over at now + lead
// (two CheckIntervals): by then every instance has loaded the new schedule,
// so all of them switch at the same instant, by the clock, as for a
// scheduled rotation; nobody ever signs with a key another instance does not
// yet accept, and no two instances disagree on the active key. The active
// key retires then, and a fresh next key is published to follow a full
// RotationPeriod later. A rotation already due within lead is left alone,
// so repeated calls do not stack.
func (p planner) rotate(cur []entry, now time.Time, pool *keyPool) ([]entry, []change, error) {
	if len(cur) == 0 {
		return p.create(now, pool)
	}
	out, changes := p.dropExpired(cur, now)
	at := now.Add(p.lead())
	a := activeIndex(out, now)
	n := a + 1
	if n < len(out) && !out[n].ActivateAt.After(at) {
		return out, changes, nil // a switch is already due within lead
	}
	if n+1 < len(out) && !out[n+1].ActivateAt.After(at) {
		return out, changes, nil // would overtake the key after next
	}
	if n == len(out) {
		k, err := pool.take()
		if err != nil {
			return nil, nil, err
		}
		k.ActivateAt = at
		out = appendNewest(out, k)
		changes = append(changes, change{"generated a key to activate (none was published)", k.KID, at})
	}
	out[n].ActivateAt = at
	if a >= 0 {
		out[a].DeactivateAt = at
		changes = append(changes, change{"scheduled retirement of key", out[a].KID, at})
	}
	changes = append(changes, change{"scheduled activation of key", out[n].KID, at})
	if n == len(out)-1 {
		next, err := pool.take()
		if err != nil {
			return nil, nil, err
		}
		next.ActivateAt = at.Add(p.period)
		out = appendNewest(out, next)
		changes = append(changes, change{"published next key", next.KID, next.ActivateAt})
	}
	return out, changes, nil
}

// join starts an extra chain in a set that already signs: one key,
// published now and activating after lead, as a RotateNow switch does, so
// every instance has loaded it before anyone signs with it. No token of
// the chain's algorithm was ever signed, so no relying party holds a
// cached key set that must already know it. refresh publishes its
// successor once it is active.
func (p planner) join(now time.Time, pool *keyPool) ([]entry, []change, error) {
	k, err := pool.take()
	if err != nil {
		return nil, nil, err
	}
	k.ActivateAt = now.Add(p.lead())
	return []entry{k}, []change{{"published the first key of a new chain", k.KID, k.ActivateAt}}, nil
}

// lead is how far ahead RotateNow schedules a switch: two check intervals,
// one for every instance's reload plus one of margin for slow reloads.
func (p planner) lead() time.Duration { return 2 * p.interval }

// create starts a set: a key active now and a next key published for a
// full period before it signs.
func (p planner) create(now time.Time, pool *keyPool) ([]entry, []change, error) {
	active, err := pool.take()
	if err != nil {
		return nil, nil, err
	}
	next, err := pool.take()
	if err != nil {
		return nil, nil, err
	}
	active.ActivateAt = now
	next.ActivateAt = now.Add(p.period)
	out := appendNewest([]entry{active}, next)
	return out, []change{
		{"created active key", active.KID, active.ActivateAt},
		{"published next key", next.KID, next.ActivateAt},
	}, nil
}

// dropExpired returns a copy of cur without the keys whose retirement grace
// ended. Those form a prefix, since deactivate_at never decreases, and never
// include the active key (its deactivate_at, if any, is in the future).
func (p planner) dropExpired(cur []entry, now time.Time) ([]entry, []change) {
	var changes []change
	for _, e := range cur {
		if e.DeactivateAt.IsZero() || now.Before(e.DeactivateAt.Add(p.retire)) {
			break
		}
		changes = append(changes, change{"dropped retired key", e.KID, e.DeactivateAt.Add(p.retire)})
	}
	return slices.Clone(cur[len(changes):]), changes
}

// appendNewest appends k as the newest key, setting its predecessor's
// deactivate_at to k's activate_at.
func appendNewest(out []entry, k entry) []entry {
	k.DeactivateAt = time.Time{}
	if len(out) > 0 {
		out[len(out)-1].DeactivateAt = k.ActivateAt
	}
	return append(out, k)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// keyPool hands out freshly generated keys and keeps them across
// compare-and-swap retries, so a lost swap costs no new key generation
// (an RSA key takes a while). rewind makes the same keys available again.
type keyPool struct {
	gen  func() (entry, error)
	made []entry
	used int
}

func (p *keyPool) take() (entry, error) {
	if p.used == len(p.made) {
		e, err := p.gen()
		if err != nil {
			return entry{}, err
		}
		p.made = append(p.made, e)
	}
	p.used++
	return p.made[p.used-1], nil
}

func (p *keyPool) rewind() { p.used = 0 }
