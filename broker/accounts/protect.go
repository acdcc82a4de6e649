package accounts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/ids"
)

// Domain labels keep the keyed hashes of different kinds of value apart:
// an ID number's hash never equals a mobile's, even for the same digits.
const (
	idHashLabel     = "gjjid/accounts/id-number/v1"
	mobileHashLabel = "gjjid/accounts/mobile/v1"
)

// IDHash is the keyed lookup hash (hex HMAC-SHA256) of an ID number. The
// number is normalised first: a valid resident ID as ids.ResidentID does,
// anything else upper-cased without white space.
func (s *Service) IDHash(idNumber string) string {
	return s.lookupHash(idHashLabel, canonicalIDNumber(idNumber))
}

// MobileHash is the keyed lookup hash of a mobile number, normalised by
// ids.Mobile when valid.
func (s *Service) MobileHash(mobile string) string {
	if m, err := ids.Mobile(mobile); err == nil {
		mobile = m
	}
	return s.lookupHash(mobileHashLabel, strings.TrimSpace(mobile))
}

func (s *Service) lookupHash(label, value string) string {
	m := hmac.New(sha256.New, s.lookupKey)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

func canonicalIDNumber(s string) string {
	if id, err := ids.ResidentID(s); err == nil {
		return id
	}
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// Sealed values are sealVersion, a 12-byte nonce and the AES-256-GCM
// ciphertext. The additional data binds them to their person and field, so
// a sealed value copied to another person or field does not open.
const sealVersion = 1

const (
	fieldIDNumber = "id_number"
	fieldMobile   = "mobile"
)

func (s *Service) seal(personID, field, value string) []byte {
	nonce := make([]byte, s.sealer.NonceSize(), 1+s.sealer.NonceSize()+len(value)+s.sealer.Overhead())
	rand.Read(nonce) // never fails (crypto/rand, Go 1.24+)
	out := append([]byte{sealVersion}, nonce...)
	return s.sealer.Seal(out, nonce, []byte(value), sealAAD(personID, field))
}

func (s *Service) unseal(personID, field string, sealed []byte) (string, error) {
	ns := s.sealer.NonceSize()
	if len(sealed) < 1+ns+s.sealer.Overhead() || sealed[0] != sealVersion {
		return "", fmt.Errorf("accounts: unseal %s of person %s: unknown format", field, personID)
	}
	plain, err := s.sealer.Open(nil, sealed[1:1+ns], sealed[1+ns:], sealAAD(personID, field))
	if err != nil {
		return "", fmt.Errorf("accounts: unseal %s of person %s: %w", field, personID, err)
	}
	return string(plain), nil
}

func sealAAD(personID, field string) []byte {
	return []byte(personID + "\x00" + field)
}

// ErrNotSealed: the person has no sealed value of that field.
var ErrNotSealed = errors.New("accounts: no sealed value")

// UnsealIDNumber returns the person's ID number in clear, for the rare
// places that need it (claims a client is entitled to, the provincial
// platform); never log it.
func (s *Service) UnsealIDNumber(p *store.Person) (string, error) {
	if len(p.IDSealed) == 0 {
		return "", fmt.Errorf("accounts: ID number of person %s: %w", p.ID, ErrNotSealed)
	}
	return s.unseal(p.ID, fieldIDNumber, p.IDSealed)
}

// UnsealMobile returns the person's mobile number in clear (to send an SMS
// code); never log it.
func (s *Service) UnsealMobile(p *store.Person) (string, error) {
	if len(p.MobileSealed) == 0 {
		return "", fmt.Errorf("accounts: mobile of person %s: %w", p.ID, ErrNotSealed)
	}
	return s.unseal(p.ID, fieldMobile, p.MobileSealed)
}
