package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	bt "github.com/gjjid/gjjid/broker/brokertest"
)

type linkJSON struct {
	Connector string `json:"connector"`
	Subject   string `json:"subject"`
	Kind      string `json:"kind"`
	PersonID  string `json:"person_id"`
	UnitID    string `json:"unit_id"`
	Label     string `json:"label"`
}

func TestAdminLinks(t *testing.T) {
	adminBackends(t, func(t *testing.T, b *bt.Broker) {
		agent := adminJSON[personJSON](t, b, "persons", "find", "--id-number", bt.AgentIDNumber)

		l := adminJSON[linkJSON](t, b, "links", "create", "--connector", "wechat", "--subject", "o_abc123", "--kind", "person",
			"--person", agent.ID, "--label", "张*微信")
		if l.Connector != "wechat" || l.Subject != "o_abc123" || l.Kind != "person" || l.PersonID != agent.ID || l.Label != "张*微信" {
			t.Errorf("links create = %+v", l)
		}
		adminFails(t, b, 1, []string{"links", "create", "--connector", "wechat", "--subject", "o_abc123", "--kind", "person",
			"--person", agent.ID}, "error: conflict")
		adminFails(t, b, 1, []string{"links", "create", "--connector", "wechat", "--subject", "o_x", "--kind", "robot"}, "(field kind)")
		adminFails(t, b, 2, []string{"links", "create", "--connector", "wechat", "--kind", "person"}, "--subject")

		// A certificate by fingerprint, for the agent of the demo unit …
		fp := strings.Repeat("ab", 32)
		c := adminJSON[linkJSON](t, b, "links", "create", "--connector", "ca", "--fingerprint", fp, "--kind", "agent",
			"--person", agent.ID, "--unit", bt.UnitID)
		if !strings.Contains(c.Subject, fp) || c.UnitID != bt.UnitID {
			t.Errorf("certificate link = %+v", c)
		}
		// … and one by issuer and serial for the unit: --issuer after the
		// command is the certificate's issuer (the broker's came first).
		u := adminJSON[linkJSON](t, b, "links", "create", "--connector", "ca", "--issuer", "CN=测试CA,O=Example,C=CN", "--serial", "0x1f2e",
			"--kind", "unit", "--unit", bt.UnitID)
		if u.Subject == "" || u.Kind != "unit" {
			t.Errorf("issuer/serial link = %+v", u)
		}
		adminFails(t, b, 1, []string{"links", "create", "--connector", "ca", "--issuer", "CN=x", "--kind", "unit", "--unit", bt.UnitID}, "(field")

		list := adminOK(t, b, "links", "list")
		mustContain(t, "links list", list, "CONNECTOR", "SUBJECT", "wechat", "o_abc123", "张*微信", fp, bt.UnitID)
		mine := adminJSON[[]linkJSON](t, b, "links", "list", "--principal", agent.ID)
		if len(mine) != 2 {
			t.Errorf("links list --principal %s = %+v", agent.ID, mine)
		}
		// The unit's links: its own and its agents'.
		kinds := map[string]bool{}
		for _, l := range adminJSON[[]linkJSON](t, b, "links", "list", "--principal", bt.UnitID) {
			kinds[l.Kind] = true
		}
		if !kinds["unit"] || !kinds["agent"] {
			t.Errorf("links of the unit: kinds %v", kinds)
		}

		if out := adminOK(t, b, "links", "delete", "--connector", "wechat", "--subject", "o_abc123"); !strings.Contains(out, "deleted link") {
			t.Errorf("links delete: %q", out)
		}
		if list := adminOK(t, b, "links", "list"); strings.Contains(list, "o_abc123") {
			t.Errorf("deleted link still listed:\n%s", list)
		}
		adminFails(t, b, 1, []string{"links", "delete", "--connector", "wechat", "--subject", "o_abc123"}, "error: not_found")
		adminFails(t, b, 2, []string{"links", "delete", "--connector", "wechat"}, "--subject")
	})
}

// TestAdminListPages: list commands follow next_cursor through every
// page; --limit asks for one page and --cursor continues.
func TestAdminListPages(t *testing.T) {
	adminBackends(t, func(t *testing.T, b *bt.Broker) {
		ctx := context.Background()
		agent := adminJSON[personJSON](t, b, "persons", "find", "--id-number", bt.AgentIDNumber)
		const n = 230 // more than two pages of the API's default 100
		for i := range n {
			if _, err := b.Accounts.CreateLink(ctx, accounts.NewLink{Connector: "wechat", Subject: fmt.Sprintf("o_%04d", i),
				Kind: "person", PersonID: agent.ID, CreatedBy: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		all := adminJSON[[]linkJSON](t, b, "links", "list")
		if len(all) != n {
			t.Fatalf("links list --json: %d items, want %d", len(all), n)
		}
		seen := map[string]bool{}
		for _, l := range all {
			if seen[l.Subject] {
				t.Fatalf("%s listed twice", l.Subject)
			}
			seen[l.Subject] = true
		}
		if table := adminOK(t, b, "links", "list"); strings.Count(table, "\n") != n+1 {
			t.Errorf("links list table: %d lines, want %d", strings.Count(table, "\n"), n+1)
		}

		r := admin(t, b, "links", "list", "--limit", "150", "--json")
		if r.code != 0 {
			t.Fatal(r)
		}
		_, cursor, ok := strings.Cut(strings.TrimSpace(r.stderr), "--cursor ")
		if !ok || cursor == "" {
			t.Fatalf("--limit 150: no cursor on stderr: %s", r)
		}
		first := adminJSON[[]linkJSON](t, b, "links", "list", "--limit", "150")
		rest := adminJSON[[]linkJSON](t, b, "links", "list", "--limit", "150", "--cursor", cursor)
		if len(first) != 150 || len(rest) != n-150 {
			t.Fatalf("pages of %d and %d items, want 150 and %d", len(first), len(rest), n-150)
		}
		for _, l := range rest {
			for _, f := range first {
				if f.Subject == l.Subject {
					t.Fatalf("%s on both pages", l.Subject)
				}
			}
		}
		adminFails(t, b, 2, []string{"links", "list", "--limit", "501"}, "--limit")
	})
}
