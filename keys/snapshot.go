package keys

import (
	"crypto"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// useSig is the JWK "use" of every published key (RFC 7517 §4.2).
const useSig = "sig"

// SigningKey is the key that signs tokens now. It is immutable and shared;
// its method set is the one the OpenID Provider library asks of a signing
// key, so a *SigningKey can be handed over as is.
type SigningKey struct {
	id     string
	alg    jose.SignatureAlgorithm
	signer crypto.Signer
}

// ID is the kid that goes into the JWS header.
func (k *SigningKey) ID() string { return k.id }

// SignatureAlgorithm is the JWS alg: ES256, RS256 or EdDSA.
func (k *SigningKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }

// Key is the private key in the concrete type go-jose signs with:
// *ecdsa.PrivateKey, *rsa.PrivateKey or ed25519.PrivateKey.
func (k *SigningKey) Key() any { return k.signer }

// Signer is the same private key as a crypto.Signer.
func (k *SigningKey) Signer() crypto.Signer { return k.signer }

// PublicKey is one published verification key. It is immutable; its
// method set is the one the OpenID Provider library asks of a key-set
// member.
type PublicKey struct {
	id    string
	alg   jose.SignatureAlgorithm
	key   crypto.PublicKey
	state string
}

// Key states, as the key set is published at one moment.
const (
	StateActive   = "active"   // signs now
	StateNext     = "next"     // published ahead; will sign after a rotation
	StateRetiring = "retiring" // signed before; published until its tokens expire
)

// State is StateActive, StateNext or StateRetiring (in Published's
// answer; "" on keys from elsewhere).
func (k *PublicKey) State() string { return k.state }

// ID is the kid.
func (k *PublicKey) ID() string { return k.id }

// Algorithm is the JWS alg the key verifies.
func (k *PublicKey) Algorithm() jose.SignatureAlgorithm { return k.alg }

// Use is always "sig".
func (k *PublicKey) Use() string { return useSig }

// Key is the public key: *ecdsa.PublicKey, *rsa.PublicKey or
// ed25519.PublicKey.
func (k *PublicKey) Key() any { return k.key }

// snapshot is one loaded key set, immutable once built. Because the state
// of each key changes only at known instants (activations and ends of
// retirement grace), the snapshot precomputes one phase per interval
// between those instants; the hot path picks the phase for the current
// time with a few integer comparisons and allocates nothing.
type snapshot struct {
	version int64
	raw     []byte  // the stored blob, to skip decoding an unchanged set
	entries []entry // the default chain as stored, ascending activate_at
	extra   []chain // the extra chains as stored
	phases  []phase // ascending from; phases[0].from is math.MinInt64
}

// phase is what the manager serves from `from` (Unix nanoseconds) until the
// next phase starts.
type phase struct {
	from      int64
	active    *SigningKey
	extra     []*SigningKey // the active key of each extra chain that has one
	published []PublicKey   // default chain (active, next keys, retired keys newest first), then each extra chain likewise
	algs      []jose.SignatureAlgorithm
	jwks      []byte
}

// chainKeys are one chain's keys in the forms the phases share.
type chainKeys struct {
	entries []entry
	signing []SigningKey
	public  []PublicKey
}

func newSnapshot(version int64, raw []byte, entries []entry, extra []chain, retire time.Duration) (*snapshot, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("keys: key set version %d holds no keys", version)
	}
	var bounds []int64
	prepare := func(entries []entry) chainKeys {
		c := chainKeys{entries: entries, signing: make([]SigningKey, len(entries)), public: make([]PublicKey, len(entries))}
		for i, e := range entries {
			c.signing[i] = SigningKey{id: e.KID, alg: e.Alg, signer: e.signer}
			c.public[i] = PublicKey{id: e.KID, alg: e.Alg, key: e.signer.Public()}
			bounds = append(bounds, e.ActivateAt.UnixNano())
			if !e.DeactivateAt.IsZero() {
				bounds = append(bounds, e.DeactivateAt.Add(retire).UnixNano())
			}
		}
		return c
	}
	def := prepare(entries)
	chains := make([]chainKeys, len(extra))
	for i, c := range extra {
		chains[i] = prepare(c.keys)
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)

	s := &snapshot{version: version, raw: raw, entries: entries, extra: extra}
	starts := append([]int64{math.MinInt64}, bounds...)
	for i, from := range starts {
		at := from
		if i == 0 {
			at = bounds[0] - 1
		}
		ph, err := newPhase(from, time.Unix(0, at), def, chains, retire)
		if err != nil {
			return nil, err
		}
		s.phases = append(s.phases, ph)
	}
	return s, nil
}

// newPhase evaluates every key's state at t.
func newPhase(from int64, t time.Time, def chainKeys, extra []chainKeys, retire time.Duration) (phase, error) {
	a := activeIndex(def.entries, t)
	behind := a < 0
	if behind {
		// The clock is behind the set's first activation (skew between
		// instances): sign with the earliest key rather than not at all.
		a = 0
	}
	ph := phase{from: from, active: &def.signing[a]}
	ph.published = appendPublished(ph.published, def, a, t, retire)
	for _, c := range extra {
		a := activeIndex(c.entries, t)
		if a >= 0 {
			ph.extra = append(ph.extra, &c.signing[a])
		} else if behind {
			// The same skew for the chains created with the set.
			a = 0
			ph.extra = append(ph.extra, &c.signing[0])
		}
		// a < 0 otherwise: a chain that joined a signing set publishes
		// its first key before it signs.
		ph.published = appendPublished(ph.published, c, a, t, retire)
	}
	jwks := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, len(ph.published))}
	for i, k := range ph.published {
		jwks.Keys[i] = publicJWK(k.id, k.alg, k.key)
		if !slices.Contains(ph.algs, k.alg) {
			ph.algs = append(ph.algs, k.alg)
		}
	}
	var err error
	if ph.jwks, err = json.Marshal(jwks); err != nil {
		return phase{}, fmt.Errorf("keys: encode JWKS: %w", err)
	}
	return ph, nil
}

// appendPublished appends a chain's keys published at t, given its active
// index a (-1: none active yet): the active key, the keys to come, then
// retired keys still within their grace, newest first.
func appendPublished(out []PublicKey, c chainKeys, a int, t time.Time, retire time.Duration) []PublicKey {
	with := func(k PublicKey, state string) PublicKey { k.state = state; return k }
	if a >= 0 {
		out = append(out, with(c.public[a], StateActive))
	}
	for _, k := range c.public[a+1:] {
		out = append(out, with(k, StateNext))
	}
	for i := a - 1; i >= 0; i-- {
		if t.Before(c.entries[i].DeactivateAt.Add(retire)) {
			out = append(out, with(c.public[i], StateRetiring))
		}
	}
	return out
}

// at returns the phase in force at t (Unix nanoseconds).
func (s *snapshot) at(t int64) *phase {
	for i := len(s.phases) - 1; i > 0; i-- {
		if t >= s.phases[i].from {
			return &s.phases[i]
		}
	}
	return &s.phases[0]
}
