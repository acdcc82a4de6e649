package sms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// ErrUnknownAccount is what Directory.FindByLogin returns (possibly
// wrapped) when no account has the mobile.
var ErrUnknownAccount = connectors.ErrUnknownAccount

// Directory is the account lookup the connector needs; the broker's
// accounts service provides it (accounts.Directory), the same one the
// password connector uses. Mobiles reach it normalised to 11 digits.
type Directory interface {
	// FindByLogin returns the account whose mobile is login, or
	// ErrUnknownAccount.
	FindByLogin(ctx context.Context, login string) (connectors.Account, error)
}

// Values keep the live code of each mobile; the broker's store provides
// them (store.Values). GetValue and TakeValue fail with an error that
// Options.IsNotFound recognises when the key holds nothing.
type Values interface {
	SetValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// AddValue stores value only when key holds nothing; an error otherwise.
	AddValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	GetValue(ctx context.Context, key string) ([]byte, error)
	// TakeValue returns the value and deletes it in one step: of several
	// concurrent callers exactly one gets it.
	TakeValue(ctx context.Context, key string) ([]byte, error)
}

// Counters count wrong codes and sends; the broker's store provides them
// (store.Counters), with keys that expire by themselves.
type Counters interface {
	// Incr adds one to key, (re)sets its lifetime to ttl and returns the
	// new count.
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
	Count(ctx context.Context, key string) (int64, error)
}

// Store is what deps.Store must implement for this connector.
type Store interface {
	Values
	Counters
}

// Key labels. Only the code depends on the connector ID (a code works only
// where it was requested); the send limits are per mobile and per IP
// whichever SMS connector sends, since every text costs the same.
const (
	codeLabel = "gjjid/sms/code"
	macLabel  = "gjjid/sms/mac"
	gapLabel  = "gjjid/sms/gap"
	dayLabel  = "gjjid/sms/day"
	ipLabel   = "gjjid/sms/ip"
)

// keyedHash is HMAC-SHA256 over label and parts, NUL-separated. Store keys
// are keyed hashes of mobiles, never mobiles, and cannot be reversed by
// trying every number without the key.
func keyedHash(key []byte, label string, parts ...string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil))
}

func (c *Connector) codeKey(mobile string) string {
	return "smscode:" + keyedHash(c.key, codeLabel, c.id, mobile)
}

// triesKey counts the wrong tries of one code (by its random record ID), so
// a new code starts from zero.
func triesKey(recordID string) string { return "smstry:" + recordID }

func (c *Connector) gapKey(mobile string) string {
	return "smsgap:" + keyedHash(c.key, gapLabel, mobile)
}

func (c *Connector) dayKey(mobile, day string) string {
	return "smsday:" + keyedHash(c.key, dayLabel, mobile, day)
}

func (c *Connector) ipKey(ip, hour string) string {
	return "smsip:" + keyedHash(c.key, ipLabel, ip, hour)
}

// codeMAC is what the record keeps of a code: an HMAC bound to the record,
// so equal codes give unequal MACs.
func (c *Connector) codeMAC(recordID, code string) string {
	return keyedHash(c.key, macLabel, recordID, code)
}
