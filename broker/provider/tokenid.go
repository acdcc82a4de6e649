package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gjjid/gjjid/broker/secrets"
)

// Access tokens are self-contained JWTs. Their jti encodes what revocation
// checks need without a store read: the grant they belong to (the auth
// request ID that started it, also the refresh family ID) and when they were
// issued. Format: <grantID or "-">.<iat in Unix milliseconds, base36>.<random>.
//
// Milliseconds, because a principal's revocation mark is kept to the
// millisecond: with whole seconds, a token issued in the same second
// after the mark (an agent disabled, enabled again and signing in at once)
// read as issued before it and was refused.
func newAccessTokenID(grantID string, iat time.Time) string {
	if grantID == "" {
		grantID = "-"
	}
	return grantID + "." + strconv.FormatInt(iat.UnixMilli(), 36) + "." + secrets.Random(12)
}

// secondsBefore tells the iat of a token ID from an earlier version, which
// encoded whole seconds, from milliseconds: 10^11 seconds lie in the year
// 5138, 10^11 milliseconds in 1973.
const secondsBefore = 100_000_000_000

func parseAccessTokenID(jti string) (grantID string, iat time.Time, ok bool) {
	g, rest, ok1 := strings.Cut(jti, ".")
	t, _, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return "", time.Time{}, false
	}
	n, err := strconv.ParseInt(t, 36, 64)
	if err != nil {
		return "", time.Time{}, false
	}
	if g == "-" {
		g = ""
	}
	if n < secondsBefore {
		return g, time.Unix(n, 0), true
	}
	return g, time.UnixMilli(n), true
}

// Refresh tokens are <familyID>.<generation, base36>.<random>.<MAC>. The
// family ID lets the store keep a family under one hash tag; the generation
// numbers the family's members (1 from the code exchange, one more per
// rotation). The MAC, HMAC-SHA256 over family, generation and random under
// a key derived from token_key (shared by every instance), truncated to
// 128 bits, is what lets a store keep one record per family and still tell
// a former member from garbage: a token whose MAC verifies and whose
// generation is below the family's current one was issued and rotated out,
// so presenting it is reuse and revokes the family (RFC 9700 §4.14.2). A
// token whose MAC fails never reaches the store: a forged token must not
// let anyone revoke somebody else's family. Only the SHA-256 of the whole
// token is stored.
//
// Tokens of the earlier format, <familyID>.<secret>, still parse, with
// generation 0: families started before generations keep a record per
// member until they expire, which is how their reuse is recognised.
type refreshMAC struct{ key []byte }

// refreshMACLabel makes the MAC key from token_key; it is never used as
// anything else.
const refreshMACLabel = "gjjid refresh token MAC v1"

func newRefreshMAC(tokenKey [32]byte) refreshMAC {
	m := hmac.New(sha256.New, tokenKey[:])
	m.Write([]byte(refreshMACLabel))
	return refreshMAC{key: m.Sum(nil)}
}

// Lengths of the random part and the MAC: 16 bytes each, base64url.
const (
	refreshRandomBytes = 16
	refreshMACBytes    = 16
)

var (
	refreshRandomLen = base64.RawURLEncoding.EncodedLen(refreshRandomBytes)
	refreshMACLen    = base64.RawURLEncoding.EncodedLen(refreshMACBytes)
	// legacySecretLen is the base64url length of an earlier-format
	// token's 32-byte secret.
	legacySecretLen = base64.RawURLEncoding.EncodedLen(32)
)

// mint makes a token of generation gen (≥ 1) of family.
func (k refreshMAC) mint(family string, gen uint64) string {
	body := family + "." + strconv.FormatUint(gen, 36) + "." + secrets.Random(refreshRandomBytes)
	return body + "." + k.sum(body)
}

func (k refreshMAC) sum(body string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:refreshMACBytes])
}

// parse returns the family and generation of a token this broker issued:
// the current format with a valid MAC, or the earlier format (generation
// 0). Anything else — a JWT or an access token ID (three parts), a token
// whose MAC fails — is not a refresh token.
func (k refreshMAC) parse(tok string) (familyID string, gen uint64, ok bool) {
	parts := strings.Split(tok, ".")
	switch len(parts) {
	case 2:
		if parts[0] == "" || len(parts[1]) != legacySecretLen {
			return "", 0, false
		}
		return parts[0], 0, true
	case 4:
		f, g, r, mac := parts[0], parts[1], parts[2], parts[3]
		if f == "" || len(r) != refreshRandomLen || len(mac) != refreshMACLen {
			return "", 0, false
		}
		gen, err := strconv.ParseUint(g, 36, 64)
		if err != nil || gen == 0 {
			return "", 0, false
		}
		body := tok[:len(tok)-len(mac)-1]
		if !hmac.Equal([]byte(mac), []byte(k.sum(body))) {
			return "", 0, false
		}
		return f, gen, true
	}
	return "", 0, false
}
