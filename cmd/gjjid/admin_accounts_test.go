package main

import (
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

type unitJSON struct {
	ID         string `json:"id"`
	CustomerNo string `json:"customer_no"`
	Name       string `json:"name"`
	Status     string `json:"status"`
}

type personJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	IDType       string `json:"id_type"`
	IDMasked     string `json:"id_number_masked"`
	MobileMasked string `json:"mobile_masked"`
	HasPassword  bool   `json:"has_password"`
	Status       string `json:"status"`
}

type agentJSON struct {
	PersonID string   `json:"person_id"`
	UnitID   string   `json:"unit_id"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	Status   string   `json:"status"`
}

func TestAdminUnits(t *testing.T) {
	adminBackends(t, func(t *testing.T, b *bt.Broker) {
		code := creditCode(t, "91510100MA6CLT001")
		r := admin(t, b, "units", "create", "--id", code, "--name", "成都命令行测试有限公司", "--customer-no", "510100000099")
		if r.code != 0 {
			t.Fatalf("units create: %s", r)
		}
		mustContain(t, "units create", r.stdout, "id:", code, "成都命令行测试有限公司", "510100000099", "active")

		badCode := code[:17] + map[bool]string{true: "1", false: "2"}[code[17] != '1'] // wrong check character
		adminFails(t, b, 1, []string{"units", "create", "--id", badCode, "--name", "x", "--customer-no", "1"},
			"error: invalid_request", "(field id)")
		adminFails(t, b, 1, []string{"units", "create", "--id", code, "--name", "again", "--customer-no", "510100000098"}, "error: conflict")

		list := adminOK(t, b, "units", "list")
		mustContain(t, "units list", list, "ID", "CUSTOMER_NO", "STATUS", "NAME", code, "成都命令行测试有限公司", bt.UnitID, bt.UnitName)
		units := adminJSON[[]unitJSON](t, b, "units", "list")
		found := false
		for _, u := range units {
			found = found || u.ID == code
		}
		if len(units) < 3 || !found {
			t.Errorf("units list --json = %+v", units)
		}
		if u := adminJSON[unitJSON](t, b, "units", "get", code); u.Name != "成都命令行测试有限公司" || u.Status != "active" {
			t.Errorf("units get = %+v", u)
		}

		u := adminJSON[unitJSON](t, b, "units", "update", code, "--name", "成都命令行改名有限公司", "--status", "disabled")
		if u.Name != "成都命令行改名有限公司" || u.Status != "disabled" || u.CustomerNo != "510100000099" {
			t.Errorf("units update = %+v", u)
		}
		if got := adminOK(t, b, "units", "get", code); !strings.Contains(got, "disabled") || !strings.Contains(got, "成都命令行改名有限公司") {
			t.Errorf("units get after update:\n%s", got)
		}
		adminFails(t, b, 1, []string{"units", "update", code, "--status", "frozen"}, "(field status)")
		adminFails(t, b, 2, []string{"units", "update", code}, "nothing to change")
		adminFails(t, b, 1, []string{"units", "get", creditCode(t, "91510100MA6CLT002")}, "error: not_found")
	})
}

func TestAdminPersonsAndAgents(t *testing.T) {
	adminBackends(t, func(t *testing.T, b *bt.Broker) {
		idNumber := residentID(t, "11010519850315123")
		p := adminJSON[personJSON](t, b, "persons", "create", "--name", "王五", "--id-number", idNumber, "--mobile", "13700137000")
		if p.ID == "" || p.Name != "王五" || p.IDType != "resident_id" || p.HasPassword || p.Status != "active" ||
			strings.Contains(p.IDMasked, idNumber[6:14]) || p.MobileMasked == "" {
			t.Fatalf("persons create = %+v", p)
		}
		adminFails(t, b, 1, []string{"persons", "create", "--name", "x", "--id-number", idNumber}, "error: conflict")
		wrong := idNumber[:17] + map[bool]string{true: "1", false: "2"}[idNumber[17] != '1']
		adminFails(t, b, 1, []string{"persons", "create", "--name", "x", "--id-number", wrong}, "(field id_number)")
		adminFails(t, b, 1, []string{"persons", "create", "--name", "x", "--id-number", idNumber, "--id-type", "nosuch"}, "(field id_type)")

		list := adminOK(t, b, "persons", "list")
		mustContain(t, "persons list", list, "ID", "ID_NUMBER", "NAME", p.ID, "王五", bt.AgentName)
		if strings.Contains(list, idNumber) || strings.Contains(list, bt.AgentIDNumber) {
			t.Errorf("persons list shows a full ID number:\n%s", list)
		}
		if g := adminJSON[personJSON](t, b, "persons", "get", p.ID); g.ID != p.ID || g.Name != "王五" {
			t.Errorf("persons get = %+v", g)
		}
		if f := adminJSON[personJSON](t, b, "persons", "find", "--id-number", idNumber); f.ID != p.ID {
			t.Errorf("persons find = %+v", f)
		}
		if f := adminJSON[personJSON](t, b, "persons", "find", "--id-type", "resident_id", "--id-number", bt.AgentIDNumber); f.Name != bt.AgentName {
			t.Errorf("persons find demo agent = %+v", f)
		}
		adminFails(t, b, 1, []string{"persons", "find", "--id-number", residentID(t, "11010519850315124")}, "error: not_found")
		adminFails(t, b, 2, []string{"persons", "find"}, "--id-number")

		u := adminJSON[personJSON](t, b, "persons", "update", p.ID, "--name", "王五一", "--mobile", "13700137001", "--status", "disabled")
		if u.Name != "王五一" || u.Status != "disabled" || u.MobileMasked == p.MobileMasked {
			t.Errorf("persons update = %+v", u)
		}
		adminFails(t, b, 1, []string{"persons", "update", p.ID, "--mobile", "123"}, "(field mobile)")
		adminOK(t, b, "persons", "update", p.ID, "--status", "active")

		if out := adminOK(t, b, "persons", "set-password", p.ID, "--password", "258025"); !strings.Contains(out, "password set") ||
			strings.Contains(out, "258025") {
			t.Errorf("set-password: %q", out)
		}
		if g := adminJSON[personJSON](t, b, "persons", "get", p.ID); !g.HasPassword {
			t.Errorf("has_password after set-password: %+v", g)
		}
		adminFails(t, b, 1, []string{"persons", "set-password", p.ID, "--password", "1"}, "(field password)")
		adminFails(t, b, 2, []string{"persons", "set-password", p.ID}, "--password is required")

		// Agents of the demo unit.
		a := adminJSON[agentJSON](t, b, "agents", "add", "--unit", bt.UnitID, "--person", p.ID, "--role", "operator")
		if a.PersonID != p.ID || a.UnitID != bt.UnitID || len(a.Roles) != 1 || a.Roles[0] != "operator" || a.Status != "active" {
			t.Errorf("agents add = %+v", a)
		}
		adminFails(t, b, 1, []string{"agents", "add", "--unit", bt.UnitID, "--person", p.ID}, "error: conflict")
		adminFails(t, b, 1, []string{"agents", "add", "--unit", bt.UnitID, "--person", p.ID, "--role", "boss"}, "(field roles")
		adminFails(t, b, 2, []string{"agents", "add", "--unit", bt.UnitID}, "--person")

		list = adminOK(t, b, "agents", "list", "--unit", bt.UnitID)
		mustContain(t, "agents list", list, "PERSON_ID", "ROLES", p.ID, "operator", "王五一", bt.AgentName)
		as := adminJSON[[]agentJSON](t, b, "agents", "list", "--unit", bt.UnitID)
		if len(as) != 2 {
			t.Errorf("agents list --json = %+v", as)
		}

		a = adminJSON[agentJSON](t, b, "agents", "update", "--unit", bt.UnitID, "--person", p.ID, "--role", "unit_admin", "--role", "operator",
			"--status", "disabled")
		if len(a.Roles) != 2 || a.Status != "disabled" {
			t.Errorf("agents update = %+v", a)
		}
		adminFails(t, b, 2, []string{"agents", "update", "--unit", bt.UnitID, "--person", p.ID}, "nothing to change")

		if out := adminOK(t, b, "agents", "remove", "--unit", bt.UnitID, "--person", p.ID); !strings.Contains(out, "removed agent") {
			t.Errorf("agents remove: %q", out)
		}
		if list := adminOK(t, b, "agents", "list", "--unit", bt.UnitID); strings.Contains(list, p.ID) {
			t.Errorf("removed agent still listed:\n%s", list)
		}
		adminFails(t, b, 1, []string{"agents", "remove", "--unit", bt.UnitID, "--person", p.ID}, "error: not_found")
		adminFails(t, b, 1, []string{"agents", "list", "--unit", creditCode(t, "91510100MA6CLT003")}, "error: not_found")
	})
}
