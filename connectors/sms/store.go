package sms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/gjjid/gjjid/connectors"
)

// hostStore is what the connector keeps in the host: the live code of each
// mobile (Values) and the counts of wrong codes and sends (Counters).
type hostStore struct {
	connectors.Values
	connectors.Counters
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
	return "smscode:" + keyedHash(c.key, codeLabel, c.ID(), mobile)
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
