// Package keys owns gjjid's token-signing keys: it generates them, seals the
// private halves at rest with a key-encryption key (AES-256-GCM), rotates
// them next → active → retired, and serves the active signing key, the
// published public keys and the JWKS document from memory.
//
// The key set lives in a Store as one versioned blob. Every write is a
// compare-and-swap on that version, so any number of broker instances can
// share one store: an instance that loses a swap reloads and decides again.
//
// A key's state is not stored; it is a pure function of the stored set and
// the clock. A key is
//
//   - next while its activate_at is in the future (published, not signing),
//   - active when it has the greatest activate_at not after now (signing),
//   - retired when a newer key is active, and published until its
//     deactivate_at plus Options.RetireAfter, after which Refresh drops it.
//
// Because every instance derives "active" from the same stored set and the
// clock, two instances on one store never disagree on the active key once
// they have loaded the same version (up to the skew between their clocks),
// and a scheduled switch from one key to the next happens at activate_at
// on every instance without any store round trip. The only switch that is
// not scheduled in advance is Manager.RotateNow; other instances follow it
// when they next load the set (within Options.CheckInterval).
//
// Beside the default chain (Options.Algorithm) the set may hold one extra
// chain per algorithm of Options.Also, e.g. RS256 beside ES256, each with
// its own schedule under the same rules and all published in one JWKS.
// Extra chains are a separate field of the stored set, so a build that
// predates them still reads the default chain; a set without them gains
// them at the next check, the default chain untouched.
//
// The package knows nothing of HTTP or of the OpenID Provider library;
// SigningKey and PublicKey happen to have the method sets the zitadel op
// package asks for, so the broker can hand them over without copying.
package keys
