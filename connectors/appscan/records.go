package appscan

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gjjid/gjjid/connectors"
)

// request is what a session records of the browser that asked: the app
// shows it before the user agrees. It is the bulk of a waiting session in
// Redis, so it is kept as unit-separated fields rather than JSON; the
// user agent comes last and may hold anything. The time of the request is
// ExpiresAt less the lifetime.
type request struct {
	AuthRequestID string
	ClientID      string
	RemoteIP      string
	MinACR        string // the weakest acr the auth request accepts; "" any
	UserAgent     string
}

const (
	requestVersion = "1"
	unitSep        = "\x1f"
)

func (r request) encode() []byte {
	return []byte(requestVersion + unitSep + r.AuthRequestID + unitSep + r.ClientID + unitSep + r.RemoteIP + unitSep + r.MinACR + unitSep + r.UserAgent)
}

// cleanField drops what would break the record or the app's screen:
// control characters, the separator among them.
func cleanField(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// scanRecord is what a session records of the app session that scanned.
// The name is kept masked (the browser shows it); the full name is read
// again when the login completes.
type scanRecord struct {
	Subject  string   `json:"s"`
	Masked   string   `json:"n"`
	AMR      []string `json:"m,omitempty"`
	ACR      string   `json:"a,omitempty"`
	ClientID string   `json:"c"`
	At       int64    `json:"t"`           // unix seconds
	Device   string   `json:"d,omitempty"` // the device key that signed, if any
}

// maxUserAgent bounds what a session keeps of the User-Agent header: the
// app needs the browser's name and platform, which come first.
const maxUserAgent = 160

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func decodeRequest(s *connectors.QRSession) (request, error) {
	f := strings.SplitN(string(s.Data), unitSep, 6)
	if len(f) != 6 || f[0] != requestVersion || f[1] == "" {
		return request{}, fmt.Errorf("appscan: session %s: malformed request record (%d bytes)", short(s.ID), len(s.Data))
	}
	return request{AuthRequestID: f[1], ClientID: f[2], RemoteIP: f[3], MinACR: f[4], UserAgent: f[5]}, nil
}

func decodeScan(s *connectors.QRSession) (scanRecord, bool) {
	var r scanRecord
	if len(s.AppData) == 0 || json.Unmarshal(s.AppData, &r) != nil || r.Subject == "" {
		return scanRecord{}, false
	}
	return r, true
}

// hashSecret is what the store keeps of a poll secret or ticket: 128 bits
// of SHA-256 (the secrets have 256, so nothing short of 2^128 work finds
// one from its hash), in 22 characters.
func hashSecret(label, s string) string {
	h := sha256.Sum256([]byte("gjjid/appscan/" + label + "\x00" + s))
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

// sameHash compares two hashes in constant time.
func sameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// appSessionID names an app login: its grant, which survives refreshes, or
// the token itself when it belongs to none.
func appSessionID(t connectors.AccessToken) string {
	g := t.Grant
	if g == "" {
		g = "jti:" + t.JTI
	}
	return hashSecret("app", t.ClientID+"\x00"+g)
}

// keyedName is an HMAC naming a counter by personal data (an IP address, a
// person) that must not appear in the store.
func (c *Connector) keyedName(label string, parts ...string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("gjjid/appscan/" + label))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// minute names the current fixed one-minute window.
func minute(t time.Time) string { return strconv.FormatInt(t.Unix()/60, 36) }

func (c *Connector) ipKey(ip string, now time.Time) string {
	return "qrip:" + c.keyedName("ip", ip) + ":" + minute(now)
}

func (c *Connector) appKey(subject string, now time.Time) string {
	return "qrapp:" + c.keyedName("app", subject) + ":" + minute(now)
}

func deviceKey(kid string) string                         { return "qrdev:" + kid }
func nonceKey(kid, nonce string) string                   { return "qrnonce:" + kid + ":" + nonce }
func short(id string) string                              { return truncateUTF8(id, 6) + "…" }
func unixTime(sec int64) time.Time                        { return time.Unix(sec, 0).UTC() }
func (c *Connector) state(s *connectors.QRSession) string { return stateAt(s, c.now()) }

// stateAt is how s reads at now: waiting and scanned read as expired from
// ExpiresAt on (the store's rule).
func stateAt(s *connectors.QRSession, now time.Time) string {
	if (s.State == connectors.CrossDeviceWaiting || s.State == connectors.CrossDeviceScanned) && !now.Before(s.ExpiresAt) {
		return connectors.CrossDeviceExpired
	}
	return s.State
}
