package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestConsoleKeys: an administrator sees the published keys with the one
// signing now, and schedules a rotation (audited); an auditor is refused.
func TestConsoleKeys(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, staffOptions(bt.Options{}))
	person := grant(t, b, bt.AgentIDNumber, "gjjid:admin")
	br := signIn(t, b, "/admin/keys", bt.AgentIDNumber, bt.AgentPassword)
	if !strings.Contains(br.Page, "正在签名") || !strings.Contains(br.Page, "下一把") || !strings.Contains(br.Page, "ES256") {
		t.Fatalf("keys page: %.800s", br.Page)
	}
	status, _, where := post(t, br, b.URL+"/admin/keys/rotate", url.Values{"csrf": {csrf(t, br)}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if status != http.StatusSeeOther || where != "/admin/keys?done=rotated" {
		t.Fatalf("rotate: %d %s", status, where)
	}
	var ev struct {
		Items []struct{ Action, Actor string }
	}
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodGet, "/admin/v1/audit?type=admin.change&principal="+person, nil, &ev)
	if len(ev.Items) == 0 || ev.Items[len(ev.Items)-1].Action != "keys.rotate" || ev.Items[len(ev.Items)-1].Actor != "person:"+person {
		t.Fatalf("rotation audit: %+v", ev.Items)
	}
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodPost, "/admin/v1/staff/"+person+"/revoke", map[string]any{"roles": []string{"gjjid:admin"}}, nil)
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, http.MethodPost, "/admin/v1/staff/"+person+"/grant", map[string]any{"roles": []string{"gjjid:audit"}}, nil)
	if _, err := br.Get(b.URL + "/admin/keys"); err != nil || br.Last != http.StatusForbidden {
		t.Fatalf("auditor opens the keys: %d", br.Last)
	}
}
