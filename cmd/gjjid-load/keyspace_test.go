package main

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store/redistest"
)

func TestKeyKind(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"code:0a1b":                         "code",
		"audit":                             "audit",
		"rt:{fam1}":                         "rt",
		"rt:{fam1}:cur":                     "rt:cur",
		"rt:{fam1}:m:0a1b":                  "rt:m",
		"rt:{fam1}:pend":                    "rt:pend",
		"lq:{lq}:d:id1":                     "lq:d",
		"client:{clients}:demo":             "client",
		"lq:{lq}:due":                       "lq:due",
		"person:{acct}:p_abcdef":            "person",
		"cnt:login:ip:127.0.0.1:1764900000": "cnt",
		"sess:0a1b2c":                       "sess",
		"rv:grant:{fam1}":                   "rv",
		"unit-agents:{acct}:91350100":       "unit-agents",
	} {
		if got := keyKind(key); got != want {
			t.Errorf("keyKind(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestGrowthByKindLargestFirst(t *testing.T) {
	t.Parallel()
	from := map[string]kindUsage{"rt:m": {10, 6000}, "code": {5, 800}, "gone": {1, 100}}
	to := map[string]kindUsage{"rt:m": {100, 60000}, "code": {6, 960}, "new": {2, 200}}
	got := growthByKind(from, to)
	var kinds []string
	for _, g := range got {
		kinds = append(kinds, g.kind)
	}
	want := []string{"rt:m", "new", "code", "gone"}
	if len(kinds) != len(want) {
		t.Fatalf("kinds %q, want %q", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("kinds %q, want %q", kinds, want)
		}
	}
	if g := got[3]; g.to.keys != 0 || g.from.bytes != 100 {
		t.Errorf("a kind gone by the end: %+v", g)
	}
}

// TestKeyspaceCountsByKind against Redis: every key under the prefix is
// counted once under its kind, with its MEMORY USAGE; keys of other
// prefixes are not.
func TestKeyspaceCountsByKind(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.Client(t)
	other := redistest.Prefix(t)
	ctx := t.Context()
	for i := range 1200 { // more than one SCAN and pipeline
		c.Set(ctx, prefix+"code:"+string(rune('a'+i%26))+time.Duration(i).String(), "t:x", time.Minute)
	}
	c.Set(ctx, prefix+"rt:{f}:cur", "", time.Minute)
	c.Set(ctx, prefix+"rt:{f}:m:0a", `{"sub":"p"}`, time.Minute)
	c.Set(ctx, other+"code:zz", "x", time.Minute)
	got, err := keyspace(ctx, c, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if u := got["code"]; u.keys != 1200 || u.bytes < 1200*40 {
		t.Errorf("code: %+v, want 1200 keys of some 40 bytes or more each", u)
	}
	if u := got["rt:m"]; u.keys != 1 || u.bytes <= 0 {
		t.Errorf("rt:m: %+v", u)
	}
	if u := got["rt:cur"]; u.keys != 1 {
		t.Errorf("rt:cur: %+v", u)
	}
	if len(got) != 3 {
		t.Errorf("kinds %v, want code, rt:m, rt:cur only", got)
	}
}
