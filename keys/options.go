package keys

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultAlgorithm      = jose.ES256
	DefaultRotationPeriod = 30 * 24 * time.Hour
	DefaultPublishAhead   = 24 * time.Hour
	DefaultRetireAfter    = 24 * time.Hour
	DefaultCheckInterval  = time.Minute
)

// Options configure a Manager. All instances sharing one Store should use
// the same values: the stored set records times, not these durations.
type Options struct {
	// Algorithm signs new keys: jose.ES256 (default, P-256), jose.RS256
	// (2048-bit) or jose.EdDSA (Ed25519). Changing it affects keys created
	// from then on; existing keys keep their algorithm until they retire.
	Algorithm jose.SignatureAlgorithm
	// Also are further algorithms to keep a key chain for beside
	// Algorithm, each rotated on the same schedule and published in the
	// same JWKS (e.g. RS256, which OpenID Connect requires an OP to offer,
	// beside an ES256 default). ActiveFor signs with them. A chain added
	// to a stored set that already signs starts with a key published now
	// and signing two CheckIntervals later.
	Also []jose.SignatureAlgorithm
	// RotationPeriod is how long a key is active (default 720h).
	RotationPeriod time.Duration
	// PublishAhead is the least time a new key is published before it
	// signs (default 24h). It must exceed CheckInterval, since instances
	// see a new key only when they next load the set, and be at most
	// RotationPeriod.
	PublishAhead time.Duration
	// RetireAfter is how long a retired key stays published: the longest
	// lifetime of any token it signed plus clock skew (default 24h). After
	// RotateNow other instances sign with the old key for up to
	// CheckInterval longer, so leave that much margin too.
	RetireAfter time.Duration
	// CheckInterval is how often Run reloads the set and rotates
	// (default 1m).
	CheckInterval time.Duration
	// KEK is the AES-256-GCM key-encryption key that seals private keys at
	// rest. Required; every instance on one store needs the same KEK.
	KEK [32]byte
	// Now is the clock (default time.Now); tests pass a fake.
	Now func() time.Time
	// Logger receives rotation events and Run's refresh failures (default
	// slog.Default()).
	Logger *slog.Logger
}

// withDefaults fills zero fields and validates the result; errors name the
// field and what it accepts.
func (o Options) withDefaults() (Options, error) {
	if o.Algorithm == "" {
		o.Algorithm = DefaultAlgorithm
	}
	if o.RotationPeriod == 0 {
		o.RotationPeriod = DefaultRotationPeriod
	}
	if o.PublishAhead == 0 {
		o.PublishAhead = DefaultPublishAhead
	}
	if o.RetireAfter == 0 {
		o.RetireAfter = DefaultRetireAfter
	}
	if o.CheckInterval == 0 {
		o.CheckInterval = DefaultCheckInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}

	var errs []error
	if !supported(o.Algorithm) {
		errs = append(errs, fmt.Errorf("keys: Options.Algorithm %q is not supported; use ES256, RS256 or EdDSA", o.Algorithm))
	}
	for _, a := range o.Also {
		if !supported(a) {
			errs = append(errs, fmt.Errorf("keys: Options.Also: algorithm %q is not supported; use ES256, RS256 or EdDSA", a))
		}
	}
	if o.RotationPeriod < 0 {
		errs = append(errs, fmt.Errorf("keys: Options.RotationPeriod %s must be positive", o.RotationPeriod))
	}
	if o.PublishAhead < 0 || o.PublishAhead > o.RotationPeriod {
		errs = append(errs, fmt.Errorf("keys: Options.PublishAhead %s must be positive and at most RotationPeriod %s", o.PublishAhead, o.RotationPeriod))
	}
	if o.RetireAfter < 0 {
		errs = append(errs, fmt.Errorf("keys: Options.RetireAfter %s must be positive", o.RetireAfter))
	}
	if o.CheckInterval < 0 || o.CheckInterval >= o.PublishAhead {
		errs = append(errs, fmt.Errorf("keys: Options.CheckInterval %s must be positive and shorter than PublishAhead %s, so every instance sees a new key before it signs", o.CheckInterval, o.PublishAhead))
	}
	if o.KEK == ([32]byte{}) {
		errs = append(errs, errors.New("keys: Options.KEK is required: a random 32-byte key-encryption key shared by every instance"))
	}
	return o, errors.Join(errs...)
}

// supported reports whether this package can generate and seal keys for alg.
func supported(alg jose.SignatureAlgorithm) bool {
	switch alg {
	case jose.ES256, jose.RS256, jose.EdDSA:
		return true
	}
	return false
}
