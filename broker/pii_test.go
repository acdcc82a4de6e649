package broker_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/sms"
)

// TestNoPersonalDataInLogsOrAudit drives the paths that handle ID numbers
// and mobiles (password and SMS logins, failed ones, self-binding, admin
// and unit self-service changes) and then searches the captured log and
// the whole audit trail for any of them unmasked.
func TestNoPersonalDataInLogsOrAudit(t *testing.T) {
	t.Parallel()
	up := bt.NewFakeUpstream(t)
	logs := &bt.LogBuffer{}
	var fake, smsCfg yaml.Node
	_ = yaml.Unmarshal([]byte("link_policy: self-bind"), &fake)
	_ = yaml.Unmarshal([]byte("sender:\n  type: log\n"), &smsCfg)
	b := bt.Start(t, bt.Options{Log: logs, Connectors: up.Registry(), Edit: func(c *config.Config) {
		c.Connectors = append(c.Connectors,
			config.Connector{ID: "fake", Type: bt.FakeUpstreamType, Name: "测试外部登录", Config: fake},
			config.Connector{ID: "sms", Type: sms.Type, Name: "短信验证码登录", Config: smsCfg})
	}})
	rp := bt.NewRP(t, b.URL)
	// viaConnector opens a flow and goes to one connector's page.
	viaConnector := func(br *bt.Browser, connector string) bt.Flow {
		f := rp.NewFlow()
		if _, err := br.Get(f.URL); err != nil {
			t.Fatal(err)
		}
		if _, err := br.Get(b.URL + regexpFind(t, br.Page, `href="(/login/`+connector+`\?[^"]+)"`)); err != nil {
			t.Fatal(err)
		}
		return f
	}
	submit := func(br *bt.Browser, fields map[string]string) {
		action, form, err := br.Form(b.URL)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range fields {
			form.Set(k, v)
		}
		if _, err := br.Post(action, form); err != nil {
			t.Fatal(err)
		}
	}

	// Password logins by ID number and mobile, right and wrong.
	for _, user := range []string{bt.AgentIDNumber, bt.AgentMobile} {
		for _, pw := range []string{"000001", bt.AgentPassword} {
			br := bt.NewBrowser(t)
			viaConnector(br, "password")
			submit(br, map[string]string{"user": user, "secret": pw})
		}
	}
	// SMS codes to a registered and an unknown mobile, a wrong code.
	for _, mobile := range []string{bt.Agent2Mobile, "13712345670"} {
		br := bt.NewBrowser(t)
		viaConnector(br, "sms")
		submit(br, map[string]string{"user": mobile, "action": "send"})
		submit(br, map[string]string{"user": mobile, "secret": "123455"})
	}
	// Self-binding with the second agent's ID number.
	up.As("openid-pii-test")
	br := bt.NewBrowser(t)
	viaConnector(br, "fake")
	submit(br, map[string]string{"user": bt.Agent2IDNumber, "secret": bt.Agent2Password})
	// Admin and unit self-service changes.
	const newID, newMobile = "110101198001010053", "13612345678"
	admin := bt.NewAdminAPI(t, b.URL)
	admin.Want(http.StatusCreated, "POST", "/admin/v1/persons", map[string]any{"name": "钱七", "id_number": newID, "mobile": newMobile}, nil)
	admin.Want(http.StatusNotFound, "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": "110101199003074573"}, nil)
	zhang := bt.NewTokenAPI(t, b.URL, loginAs(t, b, bt.AgentIDNumber, bt.AgentPassword))
	zhang.Want(http.StatusCreated, "POST", "/api/v1/unit/agents", map[string]any{"name": "孙八", "id_number": "11010119800101007X", "mobile": "13512345678", "password": "739216"}, nil)

	var trail []json.RawMessage
	cursor := ""
	for {
		var p listPage[json.RawMessage]
		admin.Want(http.StatusOK, "GET", "/admin/v1/audit?limit=500&cursor="+cursor, nil, &p)
		trail = append(trail, p.Items...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(trail) < 12 { // 4 password, 2 SMS, 2 self-bind, 1+1+2 admin and self-service
		t.Fatalf("only %d audit events for all of that", len(trail))
	}
	all, _ := json.Marshal(trail)
	for _, where := range []struct{ name, text string }{{"log", logs.String()}, {"audit trail", string(all)}} {
		for _, secret := range []string{bt.AgentIDNumber, bt.AgentMobile, bt.Agent2IDNumber, bt.Agent2Mobile, "13712345670",
			newID, newMobile, "110101199003074573", "11010119800101007X", "13512345678"} {
			if strings.Contains(where.text, secret) {
				i := strings.Index(where.text, secret)
				t.Errorf("%s holds %s unmasked: …%s…", where.name, secret, where.text[max(0, i-200):min(len(where.text), i+60)])
			}
		}
	}
	if !strings.Contains(logs.String(), "510***********1236") {
		t.Error("the log never names the agent's masked ID number: is it captured at all?")
	}
	for _, want := range []string{`"type":"login.success"`, `"type":"login.failure"`, `"type":"link.create"`, `"action":"persons.create"`, `"action":"agents.create"`} {
		if !strings.Contains(string(all), want) {
			t.Errorf("audit trail has no %s", want)
		}
	}
}
