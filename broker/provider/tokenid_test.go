package provider

import (
	"strconv"
	"testing"
	"time"
)

func TestTokenIDShapes(t *testing.T) {
	rt := newRefreshToken("fam1")
	if f, ok := parseRefreshToken(rt); !ok || f != "fam1" {
		t.Fatalf("parseRefreshToken(%q) = %q %v", rt, f, ok)
	}
	now := time.Unix(1_800_000_000, 0)
	for _, notRefresh := range []string{
		newAccessTokenID("fam1", now),
		newAccessTokenID("", now),
		"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJwX2FiYyIsImp0aSI6IngifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2ln",
		"fam1." + "short",
		".nofamily" + rt,
		rt + ".x",
	} {
		if _, ok := parseRefreshToken(notRefresh); ok {
			t.Errorf("%q parsed as a refresh token", notRefresh)
		}
	}
	for _, tc := range []struct{ grant string }{{"fam1"}, {""}} {
		jti := newAccessTokenID(tc.grant, now)
		g, iat, ok := parseAccessTokenID(jti)
		if !ok || g != tc.grant || !iat.Equal(now) {
			t.Errorf("parseAccessTokenID(%q) = %q %v %v", jti, g, iat, ok)
		}
	}
	if _, _, ok := parseAccessTokenID("garbage"); ok {
		t.Error("garbage parsed as an access token ID")
	}
}

// TestAccessTokenIDKeepsMilliseconds: a token issued 300 ms after a
// revocation mark must read as issued after it, and an ID of the earlier,
// whole-second format still parses.
func TestAccessTokenIDKeepsMilliseconds(t *testing.T) {
	iat := time.UnixMilli(1_800_000_000_700)
	_, got, ok := parseAccessTokenID(newAccessTokenID("fam1", iat))
	if !ok || !got.Equal(iat) {
		t.Fatalf("iat %v, %v; want %v", got, ok, iat)
	}
	if mark := time.UnixMilli(1_800_000_000_400); !got.After(mark) {
		t.Fatalf("a token issued at %v reads as before the mark at %v", got, mark)
	}
	old := "fam1." + strconv.FormatInt(1_800_000_000, 36) + ".random"
	if _, got, ok := parseAccessTokenID(old); !ok || !got.Equal(time.Unix(1_800_000_000, 0)) {
		t.Fatalf("a whole-second token ID parsed as %v, %v", got, ok)
	}
}
