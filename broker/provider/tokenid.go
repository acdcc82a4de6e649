package provider

import (
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

// Refresh tokens are <familyID>.<secret>; only their SHA-256 is stored. The
// family ID lets the store keep a family's members under one hash tag.
func newRefreshToken(familyID string) string {
	return familyID + "." + secrets.Random(32)
}

// parseRefreshToken accepts exactly that shape: a JWT (three parts) or an
// access token ID (three parts) never parses as a refresh token.
func parseRefreshToken(tok string) (familyID string, ok bool) {
	f, secret, ok := strings.Cut(tok, ".")
	if !ok || f == "" || len(secret) != refreshSecretLen || strings.Contains(secret, ".") {
		return "", false
	}
	return f, true
}

// refreshSecretLen is the base64url length of a 32-byte secret.
var refreshSecretLen = len(secrets.Random(32))
