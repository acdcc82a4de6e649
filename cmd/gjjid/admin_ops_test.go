package main

import (
	"context"
	"strings"
	"testing"
	"time"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

type auditJSON struct {
	Time      time.Time `json:"time"`
	Type      string    `json:"type"`
	Action    string    `json:"action"`
	Outcome   string    `json:"outcome"`
	Actor     string    `json:"actor"`
	Principal string    `json:"principal"`
}

func TestAdminRevokeKeysAudit(t *testing.T) {
	adminBackends(t, func(t *testing.T, b *bt.Broker) {
		ctx := context.Background()
		// A signed-in agent whose tokens the revocation ends.
		rp := bt.NewRP(t, b.URL)
		f := rp.NewFlow()
		loc, err := bt.NewBrowser(t).Login(b.URL, f.URL, bt.AgentIDNumber, bt.AgentPassword)
		if err != nil {
			t.Fatal(err)
		}
		code, err := rp.Callback(f, loc)
		if err != nil {
			t.Fatal(err)
		}
		tok, idt, err := rp.Exchange(ctx, f, code)
		if err != nil {
			t.Fatal(err)
		}

		out := adminOK(t, b, "revoke", idt.Subject)
		mustContain(t, "revoke", out, "principal:", idt.Subject, "revoked_before:")
		if in, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken); err != nil || in["active"] != false {
			t.Errorf("access token after revoke: %v %v", in, err)
		}
		adminFails(t, b, 2, []string{"revoke"}, "missing PRINCIPAL_ID")

		if out := adminOK(t, b, "keys", "rotate"); !strings.Contains(out, "rotation scheduled") {
			t.Errorf("keys rotate: %q", out)
		}

		events := adminJSON[[]auditJSON](t, b, "audit", "--since", "1h")
		actions := map[string]bool{}
		for _, e := range events {
			actions[e.Action] = true
		}
		if !actions["principals.revoke"] || !actions["keys.rotate"] {
			t.Errorf("audit --since 1h lacks the revocation or rotation: %+v", events)
		}
		mine := adminJSON[[]auditJSON](t, b, "audit", "--principal", idt.Subject, "--since", time.Now().Add(-time.Hour).Format(time.RFC3339))
		if len(mine) == 0 {
			t.Fatal("no audit events for the agent")
		}
		for _, e := range mine {
			if e.Principal != idt.Subject {
				t.Errorf("audit --principal: event of %q", e.Principal)
			}
		}
		table := adminOK(t, b, "audit", "--type", "admin.change", "--since", time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"))
		mustContain(t, "audit table", table, "TIME", "ACTION", "keys.rotate", "client:"+bt.AdminID)
		if none := adminJSON[[]auditJSON](t, b, "audit", "--until", "2000-01-01"); len(none) != 0 {
			t.Errorf("audit --until 2000-01-01 = %+v", none)
		}
		adminFails(t, b, 1, []string{"audit", "--since", "yesterday"}, "error: invalid_request", "(field since)")
	})
}
