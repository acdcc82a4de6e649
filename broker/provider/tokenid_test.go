package provider

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/secrets"
)

func TestTokenIDShapes(t *testing.T) {
	t.Parallel()
	k := newRefreshMAC([32]byte{1})
	rt := k.mint("fam1", 1)
	if f, gen, ok := k.parse(rt); !ok || f != "fam1" || gen != 1 {
		t.Fatalf("parse(%q) = %q %d %v", rt, f, gen, ok)
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
		if _, _, ok := k.parse(notRefresh); ok {
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

// TestRefreshTokenMAC: only a token this broker minted, unchanged, parses;
// so a forged token of an earlier generation, which the store would take
// for reuse and revoke the family for, never reaches it. Tokens of the
// earlier format parse with generation 0.
func TestRefreshTokenMAC(t *testing.T) {
	t.Parallel()
	k := newRefreshMAC([32]byte{1})
	tok := k.mint("fam1", 37)
	if f, gen, ok := k.parse(tok); !ok || f != "fam1" || gen != 37 {
		t.Fatalf("parse(%q) = %q %d %v", tok, f, gen, ok)
	}
	if k.mint("fam1", 37) == tok {
		t.Fatal("two tokens of the same family and generation are equal")
	}
	parts := strings.Split(tok, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	for name, forged := range map[string]string{
		"another key":           newRefreshMAC([32]byte{2}).mint("fam1", 37),
		"earlier generation":    strings.Join([]string{parts[0], strconv.FormatUint(36, 36), parts[2], parts[3]}, "."),
		"another family":        strings.Join([]string{"fam2", parts[1], parts[2], parts[3]}, "."),
		"another random":        strings.Join([]string{parts[0], parts[1], flip(parts[2]), parts[3]}, "."),
		"another MAC":           strings.Join([]string{parts[0], parts[1], parts[2], flip(parts[3])}, "."),
		"generation 0":          strings.Join([]string{parts[0], "0", parts[2], k.sum(parts[0] + ".0." + parts[2])}, "."),
		"generation not base36": strings.Join([]string{parts[0], "-1", parts[2], k.sum(parts[0] + ".-1." + parts[2])}, "."),
	} {
		if f, gen, ok := k.parse(forged); ok {
			t.Errorf("%s: %q parsed as family %q generation %d", name, forged, f, gen)
		}
	}
	legacy := "fam1." + secrets.Random(32)
	if f, gen, ok := k.parse(legacy); !ok || f != "fam1" || gen != 0 {
		t.Errorf("earlier-format %q: %q %d %v, want fam1, generation 0", legacy, f, gen, ok)
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
