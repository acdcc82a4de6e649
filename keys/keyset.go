package keys

import (
	"crypto"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// format is the version of the stored JSON layout.
const format = 1

// storedSet is the blob kept in the Store.
type storedSet struct {
	Format int `json:"format"`
	// KEKCheck identifies the key-encryption key that sealed every key.
	KEKCheck string      `json:"kek_check"`
	Keys     []storedKey `json:"keys"` // the default chain, ascending activate_at
	// Chains are the further chains kept beside the default one, one
	// algorithm each (Options.Also: RS256 beside ES256). A separate field,
	// so builds that predate it still read the default chain.
	Chains []storedChain `json:"chains,omitempty"`
}

// storedChain is a chain of keys of one algorithm with its own schedule,
// ascending activate_at, under the same invariants as the default chain.
type storedChain struct {
	Alg  jose.SignatureAlgorithm `json:"alg"`
	Keys []storedKey             `json:"keys"`
}

// storedKey is one key of the set. Its state (next, active, retired) is not
// stored: it follows from the times and the clock.
type storedKey struct {
	KID        string                  `json:"kid"`
	Alg        jose.SignatureAlgorithm `json:"alg"`
	CreatedAt  time.Time               `json:"created_at"`
	ActivateAt time.Time               `json:"activate_at"`
	// DeactivateAt is the successor's ActivateAt; zero while this key is
	// the newest.
	DeactivateAt time.Time `json:"deactivate_at,omitzero"`
	// SealedPrivateKey is the PKCS#8 DER private key sealed by sealer.
	SealedPrivateKey []byte          `json:"sealed_private_key"`
	PublicJWK        json.RawMessage `json:"public_jwk"`
}

// entry is a stored key with its private key opened. Entries are values and
// a slice of them is never modified once a snapshot holds it: plans clone.
type entry struct {
	storedKey
	signer crypto.Signer
}

// chain is an extra chain with its private keys opened.
type chain struct {
	alg  jose.SignatureAlgorithm
	keys []entry
}

// encodeSet serialises the default chain and the extra chains for the
// store; private keys are already sealed.
func encodeSet(s *sealer, entries []entry, extra []chain) ([]byte, error) {
	set := storedSet{Format: format, KEKCheck: s.check, Keys: storedKeys(entries)}
	for _, c := range extra {
		set.Chains = append(set.Chains, storedChain{Alg: c.alg, Keys: storedKeys(c.keys)})
	}
	if err := checkChains(set); err != nil {
		return nil, fmt.Errorf("keys: refusing to store an inconsistent key set: %w", err)
	}
	data, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("keys: encode key set: %w", err)
	}
	return data, nil
}

func storedKeys(entries []entry) []storedKey {
	out := make([]storedKey, len(entries))
	for i, e := range entries {
		out[i] = e.storedKey
	}
	return out
}

// decodeSet parses and checks a stored blob and opens every private key:
// the default chain and the extra chains. A set written before extra
// chains existed has none.
func decodeSet(s *sealer, data []byte) ([]entry, []chain, error) {
	var set storedSet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, nil, fmt.Errorf("keys: parse stored key set: %w", err)
	}
	if set.Format != format {
		return nil, nil, fmt.Errorf("keys: stored key set has format %d; this build reads format %d", set.Format, format)
	}
	if err := checkChains(set); err != nil {
		return nil, nil, fmt.Errorf("keys: stored key set is inconsistent: %w", err)
	}
	if len(set.Keys) > 0 && set.KEKCheck != s.check {
		return nil, nil, ErrKEKMismatch
	}
	entries, err := openEntries(s, set.Keys)
	if err != nil {
		return nil, nil, err
	}
	var extra []chain
	for _, c := range set.Chains {
		keys, err := openEntries(s, c.Keys)
		if err != nil {
			return nil, nil, err
		}
		extra = append(extra, chain{alg: c.Alg, keys: keys})
	}
	return entries, extra, nil
}

func openEntries(s *sealer, keys []storedKey) ([]entry, error) {
	entries := make([]entry, len(keys))
	for i, k := range keys {
		e, err := openEntry(s, k)
		if err != nil {
			return nil, err
		}
		entries[i] = e
	}
	return entries, nil
}

// checkChains checks every chain's schedule, that each extra chain holds
// keys of its algorithm only, that no algorithm has two extra chains, and
// that no kid appears twice in the whole set.
func checkChains(set storedSet) error {
	if err := checkSchedule(set.Keys); err != nil {
		return err
	}
	if len(set.Chains) > 0 && len(set.Keys) == 0 {
		return fmt.Errorf("extra chains without a default chain")
	}
	seen := map[string]bool{}
	for _, k := range set.Keys {
		seen[k.KID] = true
	}
	algs := map[jose.SignatureAlgorithm]bool{}
	for _, c := range set.Chains {
		if algs[c.Alg] {
			return fmt.Errorf("two %s chains", c.Alg)
		}
		algs[c.Alg] = true
		if err := checkSchedule(c.Keys); err != nil {
			return fmt.Errorf("%s chain: %w", c.Alg, err)
		}
		for _, k := range c.Keys {
			if k.Alg != c.Alg {
				return fmt.Errorf("%s chain: key %s is %s", c.Alg, k.KID, k.Alg)
			}
			if seen[k.KID] {
				return fmt.Errorf("%s chain: duplicate kid %s", c.Alg, k.KID)
			}
			seen[k.KID] = true
		}
	}
	return nil
}

// checkSchedule enforces the invariants every plan keeps: unique kids,
// activate_at never decreasing (ties go to the later key), and each
// deactivate_at equal to the successor's activate_at, zero on the last key.
func checkSchedule(keys []storedKey) error {
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		if k.KID == "" || seen[k.KID] {
			return fmt.Errorf("key %d: empty or duplicate kid %q", i, k.KID)
		}
		seen[k.KID] = true
		if i+1 == len(keys) {
			if !k.DeactivateAt.IsZero() {
				return fmt.Errorf("key %s: the newest key has a deactivate_at", k.KID)
			}
			break
		}
		next := keys[i+1]
		if next.ActivateAt.Before(k.ActivateAt) {
			return fmt.Errorf("key %s activates before its predecessor %s", next.KID, k.KID)
		}
		if !k.DeactivateAt.Equal(next.ActivateAt) {
			return fmt.Errorf("key %s: deactivate_at %s is not its successor's activate_at %s", k.KID, k.DeactivateAt, next.ActivateAt)
		}
	}
	return nil
}

// activeIndex is the index of the key active at t: the last one whose
// activate_at is not after t, or -1 when every key is still to come.
func activeIndex(entries []entry, t time.Time) int {
	for i := len(entries) - 1; i >= 0; i-- {
		if !entries[i].ActivateAt.After(t) {
			return i
		}
	}
	return -1
}
