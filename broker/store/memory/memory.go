// Package memory is an in-process store.Store for development and tests.
//
// It keeps every value a caller hands it JSON-encoded, as the Redis store
// does, so a caller never shares memory with the store and both backends
// round-trip values (times, nil slices, durations) the same way. One mutex serialises
// every operation, which gives the same atomicity the Redis store gets from
// Lua scripts and MULTI. Records with a lifetime are checked on every read
// and removed by a background sweeper that Close stops.
package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var _ store.Store = (*Store)(nil)

// sweepInterval is how often the sweeper drops expired records; reads never
// see them regardless, so this only bounds memory.
const sweepInterval = 30 * time.Second

// Store is the in-memory store. The zero value is not usable; call New.
type Store struct {
	// mu guards every map below; each method holds it for its whole run.
	mu sync.Mutex

	authRequests map[string]record // JSON store.AuthRequest
	codes        map[string]code
	families     map[string]*family
	grants       map[string]time.Time // grant ID → revoked until
	jtis         map[string]time.Time // jti → revoked until
	subjects     map[string]subjectMark
	sessions     map[string]record // JSON store.Session
	counters     map[string]counter
	values       map[string]record
	keySet       []byte
	keySetVer    int64
	clients      map[string][]byte            // JSON store.Client
	units        map[string][]byte            // JSON store.Unit
	persons      map[string][]byte            // JSON store.Person
	byIDHash     map[string]string            // IDHash → person ID
	byMobile     map[string]string            // MobileHash → person ID
	agents       map[string]map[string][]byte // person ID → unit ID → JSON store.Agent
	links        map[string][]byte            // linkKey → JSON store.Link
	unitsByOrg   map[string]string            // OrgCode → unit ID
	audit        []auditEntry                 // oldest first
	qr           qrState                      // QR sessions and their watchers (qr.go)
	logout       logoutState                  // logout participants and queue (logouts.go)
	staff        map[string][]string          // person ID → sorted roles (staff.go)

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// record is an encoded value with an optional expiry (zero: never).
type record struct {
	data    []byte
	expires time.Time
}

// live reports whether a record with expiry exp still exists at now. Like a
// Redis key with a TTL, it is gone from the instant it expires.
func live(exp, now time.Time) bool { return exp.IsZero() || now.Before(exp) }

// New returns an empty store and starts its sweeper; Close stops it.
func New() *Store {
	s := &Store{
		authRequests: map[string]record{},
		codes:        map[string]code{},
		families:     map[string]*family{},
		grants:       map[string]time.Time{},
		jtis:         map[string]time.Time{},
		subjects:     map[string]subjectMark{},
		sessions:     map[string]record{},
		counters:     map[string]counter{},
		values:       map[string]record{},
		clients:      map[string][]byte{},
		units:        map[string][]byte{},
		persons:      map[string][]byte{},
		byIDHash:     map[string]string{},
		byMobile:     map[string]string{},
		agents:       map[string]map[string][]byte{},
		links:        map[string][]byte{},
		unitsByOrg:   map[string]string{},
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	go s.sweepLoop()
	return s
}

// Ping always succeeds: the memory store cannot be unreachable.
func (s *Store) Ping(ctx context.Context) error { return ctx.Err() }

// Close stops the sweeper. The data stays readable; Close is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
	})
	return nil
}

func (s *Store) sweepLoop() {
	defer close(s.done)
	tick := time.NewTicker(sweepInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-tick.C:
			s.sweep(now)
		}
	}
}

// sweep drops every record that expired at now.
func (s *Store) sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sweepMap(s.authRequests, now, func(r record) time.Time { return r.expires })
	sweepMap(s.codes, now, func(c code) time.Time { return c.expires })
	sweepMap(s.families, now, func(f *family) time.Time { return f.expires })
	for _, m := range []map[string]time.Time{s.grants, s.jtis} {
		sweepMap(m, now, func(until time.Time) time.Time { return until })
	}
	sweepMap(s.subjects, now, func(m subjectMark) time.Time { return m.until })
	sweepMap(s.sessions, now, func(r record) time.Time { return r.expires })
	sweepMap(s.counters, now, func(c counter) time.Time { return c.expires })
	sweepMap(s.values, now, func(r record) time.Time { return r.expires })
	s.sweepQR(now)
	s.sweepLogouts(now)
}

// sweepMap deletes the entries of m whose expiry has passed at now.
func sweepMap[V any](m map[string]V, now time.Time, expires func(V) time.Time) {
	for k, v := range m {
		if !live(expires(v), now) {
			delete(m, k)
		}
	}
}

// encode copies v out of the caller's memory.
func encode(op string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("memory: %s: encode: %w", op, err)
	}
	return b, nil
}

// expiring checks the required fields (name, value pairs) and the
// lifetime of a record that expires by itself, as every write of one does.
func expiring(op string, ttl time.Duration, fields ...string) error {
	if err := required(op, fields...); err != nil {
		return err
	}
	return lifetime(op, ttl)
}

// encodeRecord checks a record's required fields (name, value pairs)
// before it encodes it: every write of a record starts so.
func encodeRecord(op string, v any, fields ...string) ([]byte, error) {
	if err := required(op, fields...); err != nil {
		return nil, err
	}
	return encode(op, v)
}

// decode returns a fresh copy of a stored value.
func decode[T any](op string, b []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("memory: %s: decode: %w", op, err)
	}
	return v, nil
}

// notFound says what was missing, wrapping store.ErrNotFound.
func notFound(op, id string) error {
	return fmt.Errorf("memory: %s %q: %w", op, id, store.ErrNotFound)
}

// lifetime and required are the shared input checks, named for this backend.
func lifetime(op string, ttl time.Duration) error { return store.Lifetime("memory: "+op, ttl) }

func required(op string, pairs ...string) error { return store.Required("memory: "+op, pairs...) }
