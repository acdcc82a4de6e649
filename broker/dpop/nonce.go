package dpop

import (
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

const cryptoSHA256 = crypto.SHA256

// Nonces issues and checks server nonces (RFC 9449 §8) without a store:
// a nonce is a time slot and a MAC over it under a key every instance
// shares, valid in its slot and the next, so any instance accepts what
// another issued and a nonce lives between one and two slots.
type Nonces struct {
	key  []byte
	slot time.Duration
}

// NewNonces derives the nonce key from secret (a broker secret all
// instances share) under its own label, so a nonce reveals nothing about
// the secret's other uses. slot <= 0 means 5 minutes.
func NewNonces(secret []byte, slot time.Duration) *Nonces {
	if slot <= 0 {
		slot = 5 * time.Minute
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("gjjid dpop nonce v1"))
	return &Nonces{key: m.Sum(nil), slot: slot}
}

// Issue returns the nonce of now's slot.
func (n *Nonces) Issue(now time.Time) string {
	return n.make(uint64(now.UnixNano() / int64(n.slot)))
}

// Valid reports whether nonce was issued in now's slot or the one before.
func (n *Nonces) Valid(nonce string, now time.Time) bool {
	if nonce == "" {
		return false
	}
	cur := uint64(now.UnixNano() / int64(n.slot))
	for _, s := range []uint64{cur, cur - 1} {
		if hmac.Equal([]byte(nonce), []byte(n.make(s))) {
			return true
		}
	}
	return false
}

func (n *Nonces) make(slot uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], slot)
	m := hmac.New(sha256.New, n.key)
	m.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(append(b[:], m.Sum(nil)[:16]...))
}
