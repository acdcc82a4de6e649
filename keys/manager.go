package keys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// maxAttempts bounds the load-decide-swap loop of Refresh and RotateNow.
// Each lost swap means another instance wrote, so the next attempt usually
// finds nothing left to do.
const maxAttempts = 8

// Manager keeps the signing key set: it loads, rotates and stores it
// through a Store and serves it from memory. The read methods (Active,
// Published, JWKS, Algorithms, Version) take no lock and do no I/O; they
// read an immutable snapshot and evaluate it against the clock, so a
// scheduled switch to the next key happens exactly at its activate_at.
// Refresh and RotateNow are serialised within one Manager and
// compare-and-swap against other instances.
type Manager struct {
	st      Store
	opts    Options
	plan    planner
	sealer  *sealer
	log     *slog.Logger
	snap    atomic.Pointer[snapshot]
	writing chan struct{} // one-slot semaphore around Refresh and RotateNow
}

// New validates opts, loads the key set from st (creating one if the store
// holds none) and returns a Manager serving it. It fails when the set
// cannot be loaded, e.g. with ErrKEKMismatch; there is nothing to sign with
// until it succeeds.
func New(ctx context.Context, st Store, opts Options) (*Manager, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s, err := newSealer(opts.KEK)
	if err != nil {
		return nil, err
	}
	m := &Manager{
		st:   st,
		opts: opts,
		plan: planner{
			period:   opts.RotationPeriod,
			ahead:    opts.PublishAhead,
			interval: opts.CheckInterval,
			retire:   opts.RetireAfter,
		},
		sealer:  s,
		log:     opts.Logger.With("component", "keys"),
		writing: make(chan struct{}, 1),
	}
	if err := m.Refresh(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// Refresh loads the stored set and keeps the schedule going: it creates the
// set if none is stored, publishes a next key in time and drops keys whose
// retirement grace has ended. On a version conflict it reloads and decides
// again. On error the Manager keeps serving the set it had.
func (m *Manager) Refresh(ctx context.Context) error {
	return m.update(ctx, "refresh", m.plan.refresh)
}

// RotateNow is the administrator's "rotate signing keys now". It schedules
// the published next key to take over two CheckIntervals from now and
// publishes a fresh successor. By the switch every instance has loaded the
// new schedule, so all of them change keys at the same instant, by the
// clock, exactly as for a scheduled rotation: no instance ever signs with a
// key another does not accept, and no two instances disagree on the active
// key. Calling it again before the switch changes nothing.
//
// The old key stays published for RetireAfter, so tokens it signed keep
// verifying; RotateNow is not a revocation of a compromised key.
func (m *Manager) RotateNow(ctx context.Context) error {
	return m.update(ctx, "rotate", m.plan.rotate)
}

// Run calls Refresh every CheckInterval until ctx is done. Failures are
// logged and the last loaded set keeps being served (fail-static: tokens
// can still be signed while the store is unreachable).
func (m *Manager) Run(ctx context.Context) {
	t := time.NewTicker(m.opts.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, m.opts.CheckInterval)
		err := m.Refresh(rctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			m.log.Error("keys: refresh failed; serving the last loaded key set",
				"version", m.Version(), "active_kid", m.Active().ID(), "err", err)
		}
	}
}

// Active is the key to sign with now: the default chain's.
func (m *Manager) Active() *SigningKey { return m.phase().active }

// ActiveFor is the key of algorithm alg to sign with now: the default
// chain's active key if it has that algorithm, else the active key of the
// extra chain for alg; nil when no key of alg signs yet (a chain that just
// joined, see Options.Also, or an algorithm not kept at all).
func (m *Manager) ActiveFor(alg jose.SignatureAlgorithm) *SigningKey {
	ph := m.phase()
	if ph.active.alg == alg {
		return ph.active
	}
	for _, k := range ph.extra {
		if k.alg == alg {
			return k
		}
	}
	return nil
}

// Published are the keys to verify with now: the active key first, then
// the next key, then retired keys still within their grace, newest first;
// then each extra chain's keys in the same order (Options.Also).
// The slice is shared: do not modify it.
func (m *Manager) Published() []PublicKey { return m.phase().published }

// JWKS is Published as a JSON Web Key Set document ({"keys":[…]}). The
// bytes are shared: do not modify them.
func (m *Manager) JWKS() []byte { return m.phase().jwks }

// Algorithms are the distinct algorithms of the published keys, the active
// key's first (for id_token_signing_alg_values_supported). The slice is
// shared: do not modify it.
func (m *Manager) Algorithms() []jose.SignatureAlgorithm { return m.phase().algs }

// Version is the store version of the loaded set.
func (m *Manager) Version() int64 { return m.snap.Load().version }

func (m *Manager) phase() *phase {
	return m.snap.Load().at(m.opts.Now().UnixNano())
}

// planFunc is refresh or rotate.
type planFunc func(cur []entry, now time.Time, pool *keyPool) ([]entry, []change, error)

// update loads the set, lets plan decide for every chain, and
// compare-and-swaps the result; on a conflict it reloads and decides again,
// at most maxAttempts times.
func (m *Manager) update(ctx context.Context, op string, plan planFunc) error {
	select {
	case m.writing <- struct{}{}:
		defer func() { <-m.writing }()
	case <-ctx.Done():
		return fmt.Errorf("keys: %s: %w", op, ctx.Err())
	}
	pool := m.pool(m.opts.Algorithm)
	pools := map[jose.SignatureAlgorithm]*keyPool{}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		data, version, err := m.st.GetKeySet(ctx)
		if errors.Is(err, ErrNoKeySet) {
			data, version = nil, 0
		} else if err != nil {
			return fmt.Errorf("keys: %s: load key set: %w", op, err)
		}
		cur, curExtra, err := m.decode(data)
		if err != nil {
			return err
		}
		now := stamp(m.opts.Now())
		pool.rewind()
		next, changes, err := plan(cur, now, pool)
		if err != nil {
			return err
		}
		var nextExtra []chain
		for _, alg := range m.chainAlgs(curExtra) {
			p := pools[alg]
			if p == nil {
				p = m.pool(alg)
				pools[alg] = p
			}
			p.rewind()
			keys, ch, err := m.planChain(chainOf(curExtra, alg), len(cur) > 0, now, p, plan)
			if err != nil {
				return err
			}
			for i := range ch {
				ch[i].what = string(alg) + " chain: " + ch[i].what
			}
			nextExtra = append(nextExtra, chain{alg: alg, keys: keys})
			changes = append(changes, ch...)
		}
		if len(changes) == 0 {
			return m.install(version, data, cur, curExtra)
		}
		out, err := encodeSet(m.sealer, next, nextExtra)
		if err != nil {
			return err
		}
		newVersion, err := m.st.SwapKeySet(ctx, version, out)
		if errors.Is(err, ErrVersionConflict) {
			m.log.Debug("keys: key set changed by another instance; reloading", "op", op, "version", version, "attempt", attempt)
			continue
		}
		if err != nil {
			return fmt.Errorf("keys: %s: store key set over version %d: %w", op, version, err)
		}
		for _, c := range changes {
			m.log.Info("keys: "+c.what, "kid", c.kid, "at", c.at, "version", newVersion)
		}
		return m.install(newVersion, out, next, nextExtra)
	}
	return fmt.Errorf("keys: %s: key set kept changing under %d attempts: %w", op, maxAttempts, ErrVersionConflict)
}

// pool generates keys of alg for one update.
func (m *Manager) pool(alg jose.SignatureAlgorithm) *keyPool {
	return &keyPool{gen: func() (entry, error) {
		return newEntry(m.sealer, alg, m.opts.Now())
	}}
}

// chainAlgs are the extra chains to keep: those stored (a chain, once
// started, keeps rotating until the set is replaced) and those Options.Also
// asks for, in that order.
func (m *Manager) chainAlgs(stored []chain) []jose.SignatureAlgorithm {
	var algs []jose.SignatureAlgorithm
	for _, c := range stored {
		algs = append(algs, c.alg)
	}
	for _, a := range m.opts.Also {
		if a != m.opts.Algorithm && !slices.Contains(algs, a) {
			algs = append(algs, a)
		}
	}
	return algs
}

// planChain applies plan to one extra chain. A chain missing from a set
// that already signs (one written by an older build, or before Also named
// its algorithm) joins it ahead of signing; the default chain is left as
// it is.
func (m *Manager) planChain(cur []entry, setExists bool, now time.Time, pool *keyPool, plan planFunc) ([]entry, []change, error) {
	if len(cur) == 0 && setExists {
		return m.plan.join(now, pool)
	}
	return plan(cur, now, pool)
}

func chainOf(chains []chain, alg jose.SignatureAlgorithm) []entry {
	for _, c := range chains {
		if c.alg == alg {
			return c.keys
		}
	}
	return nil
}

// decode opens a stored blob, reusing the loaded keys when the blob is the
// one already served (the common case: nothing changed since the last
// check, so nothing is decrypted).
func (m *Manager) decode(data []byte) ([]entry, []chain, error) {
	if data == nil {
		return nil, nil, nil
	}
	if cur := m.snap.Load(); cur != nil && bytes.Equal(cur.raw, data) {
		return cur.entries, cur.extra, nil
	}
	return decodeSet(m.sealer, data)
}

// install makes a loaded or written set the one served.
func (m *Manager) install(version int64, raw []byte, entries []entry, extra []chain) error {
	if cur := m.snap.Load(); cur != nil && cur.version == version && bytes.Equal(cur.raw, raw) {
		return nil
	}
	s, err := newSnapshot(version, raw, entries, extra, m.opts.RetireAfter)
	if err != nil {
		return err
	}
	m.snap.Store(s)
	m.log.Debug("keys: loaded key set", "version", version, "keys", len(entries))
	return nil
}
