// Package accounts keeps the broker's principals: units (employers, keyed by
// their 统一社会信用代码), persons and the agent records (经办人) that let a
// person act for a unit. ID numbers and mobiles reach the store only as
// keyed lookup hashes, masked display forms and AES-GCM sealed values;
// passwords only as argon2id hashes.
package accounts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// Statuses of units, persons and agents.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// Agent roles.
const (
	RoleUnitAdmin = "unit_admin" // manages the unit's agents (单位登录权限管理)
	RoleOperator  = "operator"   // does the unit's business
	// RoleLegalPerson is not an agent role: tokens of a unit principal (the
	// unit acting as itself, 法人) carry it.
	RoleLegalPerson = "legal_person"
)

// IDTypeResident is the ID type of a 居民身份证 (GB 11643), the only one
// that can log in by ID number; ids.DocTypes lists all five.
const IDTypeResident = "resident_id"

// ErrInvalid marks input that fails validation (HTTP 400 for the admin
// API); the wrapped text says which field and why. Conflicts wrap
// store.ErrConflict, missing records store.ErrNotFound.
var ErrInvalid = errors.New("invalid input")

// Secrets are the server keys of the service, from config `secrets`.
type Secrets struct {
	// IDHashKey (at least 32 bytes) keys the HMAC-SHA256 lookup hashes of
	// ID numbers and mobiles; the AES-256-GCM key sealing them is derived
	// from it with HKDF-SHA256.
	IDHashKey []byte
	// Pepper (at least 32 bytes) is mixed into every password before
	// argon2id, so a leaked store alone does not allow guessing passwords.
	Pepper []byte
	// HashMemoryKiB is the argon2id memory of new password hashes; 0: the
	// default, 64 MiB (passwords.go). Only tests lower it: under the race
	// detector one 64 MiB hash takes over a second. Stored hashes carry
	// their parameters, so verification never depends on it.
	HashMemoryKiB uint32
}

// Store is what the service keeps its records in.
type Store interface {
	store.Accounts
	store.Links
}

// Service is the accounts service. It is safe for concurrent use.
type Service struct {
	st        Store
	lookupKey []byte
	sealer    cipher.AEAD
	pepper    []byte
	params    argon2Params
	dummyPHC  string
	slots     chan struct{} // bounds concurrent argon2 computations
	now       func() time.Time
	onEnded   func(context.Context, Ended) // ended.go
}

// sealLabel is the HKDF info of the sealing key; changing it makes every
// sealed value unreadable.
const sealLabel = "gjjid/accounts/seal/aes-256-gcm/v1"

// New returns the service over st. The config package guarantees 32-byte
// secrets, so shorter ones are a programming error and New panics.
func New(st Store, s Secrets) *Service {
	if len(s.IDHashKey) < 32 || len(s.Pepper) < 32 {
		panic(fmt.Sprintf("accounts.New: secrets must be at least 32 bytes (id_hash_key %d, pepper %d)", len(s.IDHashKey), len(s.Pepper)))
	}
	sealKey, err := hkdf.Key(sha256.New, s.IDHashKey, nil, sealLabel, 32)
	if err != nil {
		panic("accounts.New: derive sealing key: " + err.Error())
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		panic("accounts.New: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("accounts.New: " + err.Error())
	}
	svc := &Service{
		st:        st,
		lookupKey: append([]byte(nil), s.IDHashKey...),
		sealer:    aead,
		pepper:    append([]byte(nil), s.Pepper...),
		params:    defaultArgon2,
		slots:     make(chan struct{}, runtime.GOMAXPROCS(0)),
		now:       time.Now,
	}
	if s.HashMemoryKiB > 0 {
		svc.params.memory = s.HashMemoryKiB
	}
	svc.dummyPHC = svc.params.dummy()
	return svc
}

// fieldErrors are the validation failures of one call, reported on one
// line (a config or API error must stay readable in a log line).
type fieldErrors []error

func (e fieldErrors) Error() string {
	s := make([]string, len(e))
	for i, err := range e {
		s[i] = err.Error()
	}
	return strings.Join(s, "; ")
}

func (e fieldErrors) Unwrap() []error { return e }

// newPersonID returns "p_" and 26 characters of base32 (128 random bits):
// opaque, URL-safe and without ':', as a token `sub` must be.
func newPersonID() string {
	b := []byte(rand.Text())
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return "p_" + string(b)
}
