package accounts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2Params are the argon2id cost parameters (RFC 9106) of new hashes.
type argon2Params struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8
	saltLen uint32
	keyLen  uint32
}

// defaultArgon2: 64 MiB, one pass, one lane. On the development machine
// (AMD EPYC, one core) a hash takes ≈ 52 ms (BenchmarkHashPassword), inside
// the 50–100 ms a login may spend; t=2 would take ≈ 94 ms. One lane keeps a
// login on one core; memory, not passes, is what costs an attacker with
// GPUs. RFC 9106 §4 recommends 64 MiB as its memory-constrained choice;
// OWASP's minimum is 46 MiB, t=1. Stored hashes carry their parameters, so
// raising these later only affects new hashes.
var defaultArgon2 = argon2Params{memory: 64 * 1024, time: 1, threads: 1, saltLen: 16, keyLen: 32}

// Bounds on parameters read back from a stored hash, so that a corrupt or
// planted hash cannot make a login allocate gigabytes.
const (
	maxArgonMemory  = 1 << 20 // 1 GiB
	maxArgonTime    = 10
	maxArgonThreads = 16
)

func (p argon2Params) key(peppered, salt []byte) []byte {
	return argon2.IDKey(peppered, salt, p.time, p.memory, p.threads, p.keyLen)
}

func (p argon2Params) phc(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// dummy is a well-formed hash with these parameters that no password
// matches: DummyVerify spends exactly the work of a real verification.
func (p argon2Params) dummy() string {
	salt := make([]byte, p.saltLen)
	rand.Read(salt)
	return p.phc(salt, make([]byte, p.keyLen))
}

// HashPassword returns the argon2id PHC string of password:
// $argon2id$v=19$m=65536,t=1,p=1$<salt>$<hash> (unpadded standard base64).
// The password is first keyed with the server pepper (HMAC-SHA256).
func (s *Service) HashPassword(password string) (string, error) {
	p := s.params
	salt := make([]byte, p.saltLen)
	rand.Read(salt)
	return p.phc(salt, s.derive(p, password, salt)), nil
}

// VerifyPassword reports whether password matches the PHC string phc,
// comparing in constant time. An error means phc is not an argon2id hash
// (or an imported legacy hash, see LegacyHash) this service can check.
func (s *Service) VerifyPassword(phc, password string) (bool, error) {
	if isLegacy(phc) { // imported from a former system (legacy.go)
		return verifyLegacy(phc, password)
	}
	p, salt, want, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	got := s.derive(p, password, salt)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// DummyVerify spends the time of a VerifyPassword against a current hash.
// Call it when there is no account (or no usable one) for a login, so the
// answer takes as long as for an existing account (no enumeration by
// timing).
func (s *Service) DummyVerify(password string) {
	_, _ = s.VerifyPassword(s.dummyPHC, password)
}

// derive peppers the password and runs argon2id, at most GOMAXPROCS at a
// time: each run holds p.memory of RAM, and a burst of logins must not
// exhaust it (they would only queue for the CPUs anyway).
func (s *Service) derive(p argon2Params, password string, salt []byte) []byte {
	m := hmac.New(sha256.New, s.pepper)
	m.Write([]byte(password))
	peppered := m.Sum(nil)
	s.slots <- struct{}{}
	defer func() { <-s.slots }()
	return p.key(peppered, salt)
}

var errPHC = errors.New("accounts: not an argon2id v=19 PHC string")

func parsePHC(phc string) (p argon2Params, salt, key []byte, err error) {
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errPHC
	}
	var seen int
	for kv := range strings.SplitSeq(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", errPHC, kv)
		}
		switch k {
		case "m":
			p.memory, seen = uint32(n), seen|1
		case "t":
			p.time, seen = uint32(n), seen|2
		case "p":
			if n > maxArgonThreads {
				return p, nil, nil, fmt.Errorf("%w: p=%d above %d", errPHC, n, maxArgonThreads)
			}
			p.threads, seen = uint8(n), seen|4
		default:
			return p, nil, nil, fmt.Errorf("%w: parameter %q", errPHC, kv)
		}
	}
	switch {
	case seen != 7:
		return p, nil, nil, fmt.Errorf("%w: m, t and p are all required", errPHC)
	case p.threads < 1 || p.time < 1 || p.time > maxArgonTime || p.memory < 8*uint32(p.threads) || p.memory > maxArgonMemory:
		return p, nil, nil, fmt.Errorf("%w: parameters m=%d,t=%d,p=%d out of bounds", errPHC, p.memory, p.time, p.threads)
	}
	b64 := base64.RawStdEncoding.Strict()
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, fmt.Errorf("%w: salt", errPHC)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("%w: hash", errPHC)
	}
	p.saltLen, p.keyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
