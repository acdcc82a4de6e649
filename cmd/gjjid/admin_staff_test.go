package main

import (
	"slices"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

type staffJSON struct {
	PersonID string   `json:"person_id"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
}

func TestAdminStaff(t *testing.T) {
	adminBackends(t, func(t *testing.T, b *bt.Broker) {
		p := adminJSON[personJSON](t, b, "persons", "find", "--id-number", bt.AgentIDNumber)
		if p.ID == "" {
			t.Fatal("persons find: no ID")
		}
		out := adminOK(t, b, "staff", "grant", "--person", p.ID, "--role", "gjjid:counter", "--role", "gjjid:audit")
		mustContain(t, "staff grant", out, p.ID, "gjjid:counter", "gjjid:audit")
		mustContain(t, "staff list", adminOK(t, b, "staff", "list"), "PERSON_ID", "ROLES", p.ID, bt.AgentName)

		adminOK(t, b, "staff", "revoke", "--person", p.ID, "--role", "gjjid:audit")
		var mine *staffJSON
		for _, m := range adminJSON[[]staffJSON](t, b, "staff", "list") {
			if m.PersonID == p.ID {
				mine = &m
			}
		}
		if mine == nil || !slices.Equal(mine.Roles, []string{"gjjid:counter"}) {
			t.Fatalf("after revoking gjjid:audit: %+v", mine)
		}
		adminFails(t, b, 1, []string{"staff", "grant", "--person", p.ID, "--role", "gjjid:root"}, "error: invalid_request", "(field roles)")
		adminFails(t, b, 2, []string{"staff", "grant", "--person", p.ID}, "--role")
	})
}
