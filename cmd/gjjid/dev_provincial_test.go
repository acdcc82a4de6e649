package main

import (
	"context"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestDevLegalPersonLogins: `gjjid dev` runs the fake CAS and
// Guangdong-style platforms, and a legal person logs in through each from
// the dev login page, acting for its demo unit with the role legal_person.
func TestDevLegalPersonLogins(t *testing.T) {
	d := startDev(t)
	issuer := d.issuer
	rp := bt.NewRP(t, issuer)
	find := func(page, re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no %s in %.1500s", re, page)
		}
		return html.UnescapeString(m[1])
	}
	for _, tc := range []struct{ connector, account, unit string }{
		{"gd", "gd-legal-" + DemoUnitID, DemoUnitID},
		{"cas", "corp-" + DemoUnit2ID, DemoUnit2ID},
	} {
		br := bt.NewBrowser(t)
		f := rp.NewFlow()
		if loc, err := br.Get(f.URL); err != nil || loc != nil {
			t.Fatalf("login page: %v %v", loc, err)
		}
		loc, err := br.Get(issuer + find(br.Page, `href="(/login/`+tc.connector+`\?[^"]*)"`))
		if err != nil || loc != nil {
			t.Fatalf("%s: the fake's chooser: %v %v", tc.connector, loc, err)
		}
		// The fake's chooser links are relative to its own host.
		fake := find(d.out.String(), `fake `+map[string]string{"gd": "Guangdong    ", "cas": "CAS          "}[tc.connector]+`(http://[0-9.:]+)`)
		loc, err = br.Get(fake + find(br.Page, `href="([^"]*as=`+regexp.QuoteMeta(tc.account)+`[^"]*)"`))
		if err != nil || loc == nil {
			t.Fatalf("%s: no redirect to the RP: %v %v %.500s", tc.connector, loc, err, br.Page)
		}
		code, err := rp.Callback(f, loc)
		if err != nil {
			t.Fatal(err)
		}
		_, idt, err := rp.Exchange(context.Background(), f, code)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		_ = idt.Claims(&claims)
		roles, _ := claims["roles"].([]any)
		if claims["unit_id"] != tc.unit || !slices.Contains(roles, any("legal_person")) || claims["idp"] != tc.connector {
			t.Errorf("%s: claims %v", tc.connector, claims)
		}
	}
	if !strings.Contains(d.out.String(), "fake CAS") {
		t.Errorf("banner lacks the fakes:\n%s", d.out.String())
	}
	d.stop(t)
}
