// Package connectorstest is the one in-memory double of the connector host
// (broker/connhost) for connectors' own tests: every capability of
// connectors.Deps with a clock the test moves, failures it can inject and
// records it can read back. Contract runs the same semantic checks against
// the double and against the real host, so a connector tested here behaves
// the same in the broker.
package connectorstest

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Host is the double. The zero value is not usable: call New.
type Host struct {
	mu       sync.Mutex
	clock    *Clock // taken under mu, never the other way round
	values   map[string]entry
	counters map[string]entry
	qr       map[string]qrEntry
	watchers connectors.QRWatchers // their own lock: wakes run outside mu
	authQR   map[string]int64

	// Fail, when set, is returned by every store-like call (values,
	// counters, QR sessions, account lookups) — a store outage.
	fail         error
	accountsFail error
	ops          []string

	accounts map[string]connectors.Account // by login and by person ID
	tokens   map[string]connectors.AccessToken
	clients  map[string]string
	audit    []connectors.AuditEvent

	lookups, verifies, dummies int
}

type entry struct {
	v       []byte
	n       int64
	expires time.Time
}

type qrEntry struct {
	s    connectors.QRSession
	gone time.Time
}

// New is an empty host whose clock starts at a fixed time.
func New() *Host {
	return &Host{
		clock: NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)), values: map[string]entry{}, counters: map[string]entry{},
		qr: map[string]qrEntry{}, authQR: map[string]int64{},
		accounts: map[string]connectors.Account{}, tokens: map[string]connectors.AccessToken{}, clients: map[string]string{},
	}
}

// Deps hands every capability of the double, with the given secrets key
// (for connectors that name counters by keyed hashes) and the broker's
// assurance levels.
func (h *Host) Deps() connectors.Deps {
	return connectors.Deps{Values: h, Counters: h, QR: h, Tokens: h, Clients: h, Accounts: h, Audit: h,
		Secrets:   connectors.Secrets{IDHashKey: []byte("connectorstest id hash key 32 b!"), Pepper: []byte("connectorstest pepper")},
		Now:       h.Now,
		ACRLevels: []string{"gjj:loa:1", "gjj:loa:2", "gjj:loa:3"},
	}
}

// Now is the double's clock.
func (h *Host) Now() time.Time { return h.clock.Now() }

// Advance moves the clock: values, counters and QR sessions expire by it.
func (h *Host) Advance(d time.Duration) { h.clock.Advance(d) }

// FailAccounts makes only account lookups fail with err (nil: work
// again): the accounts' own outage while values and counters still work.
func (h *Host) FailAccounts(err error) {
	h.mu.Lock()
	h.accountsFail = err
	h.mu.Unlock()
}

// SetNow sets the clock.
func (h *Host) SetNow(t time.Time) { h.clock.Set(t) }

// Dump is every live key and value as text, for tests that look for
// personal data at rest.
func (h *Host) Dump() string {
	var b strings.Builder
	for k, v := range h.Values() {
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	for _, k := range h.Keys() {
		fmt.Fprintf(&b, "%s\n", k)
	}
	return b.String()
}

// Fail makes every store-like call return err (nil: works again). Wrap
// connectors.ErrUnavailable to model an outage.
func (h *Host) Fail(err error) {
	h.mu.Lock()
	h.fail = err
	h.mu.Unlock()
}

// Ops returns and forgets the store-like calls made so far, as "Method
// prefix" (the key up to its first colon): the shape of a request, which
// must not depend on whose it was.
func (h *Host) Ops() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ops := h.ops
	h.ops = nil
	return ops
}

// Keys lists the live value and counter keys, sorted (what a connector
// left in the store).
func (h *Host) Keys() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ks []string
	for k, e := range h.values {
		if h.live(e) {
			ks = append(ks, "value "+k)
		}
	}
	for k, e := range h.counters {
		if h.live(e) {
			ks = append(ks, "counter "+k)
		}
	}
	sort.Strings(ks)
	return ks
}

// Values lists the live values, for tests that look for secrets at rest.
func (h *Host) Values() map[string][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string][]byte{}
	for k, e := range h.values {
		if h.live(e) {
			out[k] = slices.Clone(e.v)
		}
	}
	return out
}

// begin records a call and answers the injected failure; h.mu is held.
func (h *Host) begin(op, key string) error {
	h.ops = append(h.ops, op+" "+strings.SplitN(key, ":", 2)[0])
	if h.fail != nil {
		return fmt.Errorf("connectorstest: %s: %w", op, h.fail)
	}
	return nil
}

func (h *Host) live(e entry) bool { return e.expires.IsZero() || h.clock.Now().Before(e.expires) }

// notFound names what is missing but not its key: like the real stores,
// the double never puts keys or IDs (QR IDs, hashed mobiles) in errors,
// which end up in logs.
func notFound(what, _ string) error {
	return fmt.Errorf("connectorstest: %s: %w", what, connectors.ErrNotFound)
}

// SetValue implements connectors.Values.
func (h *Host) SetValue(_ context.Context, key string, v []byte, ttl time.Duration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("SetValue", key); err != nil {
		return err
	}
	h.values[key] = entry{v: slices.Clone(v), expires: h.clock.Now().Add(ttl)}
	return nil
}

// AddValue implements connectors.Values.
func (h *Host) AddValue(_ context.Context, key string, v []byte, ttl time.Duration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("AddValue", key); err != nil {
		return err
	}
	if e, ok := h.values[key]; ok && h.live(e) {
		return fmt.Errorf("connectorstest: AddValue: %w", connectors.ErrConflict)
	}
	h.values[key] = entry{v: slices.Clone(v), expires: h.clock.Now().Add(ttl)}
	return nil
}

// GetValue implements connectors.Values.
func (h *Host) GetValue(_ context.Context, key string) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("GetValue", key); err != nil {
		return nil, err
	}
	e, ok := h.values[key]
	if !ok || !h.live(e) {
		return nil, notFound("value", key)
	}
	return slices.Clone(e.v), nil
}

// TakeValue implements connectors.Values.
func (h *Host) TakeValue(_ context.Context, key string) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("TakeValue", key); err != nil {
		return nil, err
	}
	e, ok := h.values[key]
	delete(h.values, key)
	if !ok || !h.live(e) {
		return nil, notFound("value", key)
	}
	return e.v, nil
}

// DeleteValue implements connectors.Values.
func (h *Host) DeleteValue(_ context.Context, key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("DeleteValue", key); err != nil {
		return err
	}
	delete(h.values, key)
	return nil
}

// Incr implements connectors.Counters.
func (h *Host) Incr(_ context.Context, key string, ttl time.Duration) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("Incr", key); err != nil {
		return 0, err
	}
	e := h.counters[key]
	if !h.live(e) {
		e = entry{}
	}
	e.n++
	e.expires = h.clock.Now().Add(ttl)
	h.counters[key] = e
	return e.n, nil
}

// Count implements connectors.Counters.
func (h *Host) Count(_ context.Context, key string) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("Count", key); err != nil {
		return 0, err
	}
	if e, ok := h.counters[key]; ok && h.live(e) {
		return e.n, nil
	}
	return 0, nil
}

// Reset implements connectors.Counters.
func (h *Host) Reset(_ context.Context, key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.begin("Reset", key); err != nil {
		return err
	}
	delete(h.counters, key)
	return nil
}

// AddAccount lets logins (normalised ID numbers or mobiles) find a; its
// PasswordHash is PasswordHash(password) or "" for none.
func (h *Host) AddAccount(a connectors.Account, logins ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range logins {
		h.accounts["login:"+l] = a
	}
	h.accounts["id:"+a.PersonID] = a
}

// PasswordHash is the double's hash of password (not a real one: tests
// only).
func PasswordHash(password string) string { return "plain:" + password }

// Calls counts account lookups, password checks and dummy checks so far.
func (h *Host) Calls() (lookups, verifies, dummies int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lookups, h.verifies, h.dummies
}

// FindByLogin implements connectors.Accounts.
func (h *Host) FindByLogin(_ context.Context, login string) (connectors.Account, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lookups++
	if h.accountsFail != nil {
		return connectors.Account{}, fmt.Errorf("connectorstest: FindByLogin: %w", h.accountsFail)
	}
	if err := h.begin("FindByLogin", ""); err != nil {
		return connectors.Account{}, err
	}
	a, ok := h.accounts["login:"+login]
	if !ok {
		return connectors.Account{}, fmt.Errorf("connectorstest: login: %w", connectors.ErrUnknownAccount)
	}
	return a, nil
}

// Person implements connectors.Accounts.
func (h *Host) Person(_ context.Context, id string) (connectors.Account, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.accountsFail != nil {
		return connectors.Account{}, fmt.Errorf("connectorstest: Person: %w", h.accountsFail)
	}
	if err := h.begin("Person", id); err != nil {
		return connectors.Account{}, err
	}
	a, ok := h.accounts["id:"+id]
	if !ok {
		return connectors.Account{}, fmt.Errorf("connectorstest: person: %w", connectors.ErrUnknownAccount)
	}
	a.PasswordHash = ""
	return a, nil
}

// VerifyPassword implements connectors.Accounts for PasswordHash hashes.
func (h *Host) VerifyPassword(hash, password string) (bool, error) {
	h.mu.Lock()
	h.verifies++
	h.mu.Unlock()
	p, ok := strings.CutPrefix(hash, "plain:")
	if !ok {
		p, ok = strings.CutPrefix(hash, "legacy:")
	}
	if !ok {
		return false, fmt.Errorf("connectorstest: malformed hash")
	}
	return p == password, nil
}

// LegacyHash is the double's hash of password as a former system stored
// it: VerifyPassword accepts it, UpgradePassword replaces it.
func LegacyHash(password string) string { return "legacy:" + password }

// UpgradePassword implements connectors.Accounts: a LegacyHash of the
// person's becomes a PasswordHash.
func (h *Host) UpgradePassword(_ context.Context, personID, oldHash, password string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !strings.HasPrefix(oldHash, "legacy:") {
		return nil
	}
	for k, a := range h.accounts {
		if a.PersonID == personID && a.PasswordHash == oldHash {
			a.PasswordHash = PasswordHash(password)
			h.accounts[k] = a
		}
	}
	return nil
}

// DummyVerify implements connectors.Accounts.
func (h *Host) DummyVerify(string) {
	h.mu.Lock()
	h.dummies++
	h.mu.Unlock()
}

// AddToken makes raw verify as t.
func (h *Host) AddToken(raw string, t connectors.AccessToken) {
	h.mu.Lock()
	h.tokens[raw] = t
	h.mu.Unlock()
}

// VerifyAccessToken implements connectors.TokenVerifier: tokens added
// with AddToken and not expired by the clock.
func (h *Host) VerifyAccessToken(_ context.Context, raw string) (connectors.AccessToken, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil {
		return connectors.AccessToken{}, fmt.Errorf("connectorstest: verify: %w", h.fail)
	}
	t, ok := h.tokens[raw]
	if !ok || (!t.Expiry.IsZero() && !h.clock.Now().Before(t.Expiry)) {
		return connectors.AccessToken{}, fmt.Errorf("connectorstest: token: %w", connectors.ErrInvalidToken)
	}
	return t, nil
}

// VerifyRequestToken implements connectors.TokenVerifier for Bearer
// tokens added with AddToken; the double knows no DPoP proofs, so it
// refuses the DPoP scheme as ErrInvalidProof.
func (h *Host) VerifyRequestToken(ctx context.Context, r *http.Request) (connectors.AccessToken, error) {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	raw = strings.TrimSpace(raw)
	switch {
	case !ok || raw == "":
		return connectors.AccessToken{}, connectors.ErrNoToken
	case strings.EqualFold(scheme, "Bearer"):
		return h.VerifyAccessToken(ctx, raw)
	case strings.EqualFold(scheme, "DPoP"):
		return connectors.AccessToken{}, fmt.Errorf("connectorstest: no DPoP: %w", connectors.ErrInvalidProof)
	}
	return connectors.AccessToken{}, connectors.ErrNoToken
}

// AddClient names a relying party.
func (h *Host) AddClient(id, name string) {
	h.mu.Lock()
	h.clients[id] = name
	h.mu.Unlock()
}

// ClientName implements connectors.ClientNames.
func (h *Host) ClientName(_ context.Context, id string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, ok := h.clients[id]
	if !ok {
		return "", notFound("client", id)
	}
	return n, nil
}

// Audit implements connectors.Auditor, keeping the events.
func (h *Host) Audit(_ context.Context, e connectors.AuditEvent) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	e.Details = maps.Clone(e.Details)
	h.audit = append(h.audit, e)
	return nil
}

// AuditTrail is what connectors recorded so far.
func (h *Host) AuditTrail() []connectors.AuditEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.audit)
}
