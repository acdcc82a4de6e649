package pages_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestConsoleAuditorExportsCSV: an auditor's CSV export of the login
// events holds exactly the events the audit API answers, in order, and
// the auditor is refused the other sections.
func TestConsoleAuditorExportsCSV(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	person := grant(t, b, bt.AgentIDNumber, "gjjid:audit")
	for _, pw := range []string{bt.Agent2Password, "000000", bt.Agent2Password} {
		_, _ = agentLogin(t, b, bt.Agent2IDNumber, pw)
	}
	br := signIn(t, b, "/admin/audit", bt.AgentIDNumber, bt.AgentPassword)
	if !strings.Contains(br.Page, `id="audit-export"`) || !strings.Contains(br.Page, "login.success") {
		t.Fatalf("audit page: %.600s", br.Page)
	}
	same := map[string]string{"Sec-Fetch-Site": "same-origin"}
	status, body, _ := post(t, br, b.URL+"/admin/audit/export", url.Values{"csrf": {csrf(t, br)}, "type": {"login."}}, same)
	if status != http.StatusOK {
		t.Fatalf("export: %d %.300s", status, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var api struct {
		Items []struct {
			ID, Type, Outcome, Principal string
		} `json:"items"`
	}
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodGet, "/admin/v1/audit?type=login.&limit=500", nil, &api)
	if len(rows) != len(api.Items)+1 || len(api.Items) < 4 {
		t.Fatalf("CSV has %d rows, the API %d events (want the same, at least 4)", len(rows)-1, len(api.Items))
	}
	for i, e := range api.Items {
		r := rows[i+1]
		if r[0] != e.ID || r[2] != e.Type || r[4] != e.Outcome || r[8] != e.Principal {
			t.Errorf("row %d = %v, the API says %+v", i, r, e)
		}
	}
	// Filtered by outcome: only the failure.
	status, body, _ = post(t, br, b.URL+"/admin/audit/export", url.Values{"csrf": {csrf(t, br)}, "type": {"login."}, "outcome": {"failure"}}, same)
	rows, _ = csv.NewReader(strings.NewReader(body)).ReadAll()
	if status != http.StatusOK || len(rows) != 2 || rows[1][4] != "failure" {
		t.Fatalf("failures only: %d %v", status, rows)
	}
	// The export is audited under the auditor; other sections are refused.
	var ex struct {
		Items []struct{ Action, Actor string }
	}
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodGet, "/admin/v1/audit?type=admin.change&principal="+person, nil, &ex)
	if len(ex.Items) == 0 || ex.Items[len(ex.Items)-1].Action != "audit.export" {
		t.Errorf("export not audited under the auditor: %+v", ex.Items)
	}
	for _, path := range []string{"/admin/clients", "/admin/accounts", "/admin/certs", "/admin/staff"} {
		if _, err := br.Get(b.URL + path); err != nil || br.Last != http.StatusForbidden {
			t.Errorf("auditor opens %s: %d", path, br.Last)
		}
	}
}
