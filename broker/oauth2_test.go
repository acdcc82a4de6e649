package broker_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/oauth2"
	"github.com/gjjid/gjjid/connectors/oauth2/oauth2test"
)

const (
	gdUnitID   = "91440300MA5DC0QX05"
	gdUnitName = "深圳示例科技有限公司"
)

// withGD configures a Guangdong-style connector "gd" (the example.yaml
// entry) against the fake, the secret in the query as the platform wants.
func withGD(t *testing.T, gd *oauth2test.Server) bt.Options {
	base := gd.URL + oauth2test.Base
	return bt.Options{Edit: func(c *config.Config) {
		c.Connectors = append(c.Connectors, config.Connector{ID: "gd", Type: oauth2.Type, Name: "广东省统一身份认证平台", Config: yamlNode(t, `authorize_url: `+base+`/authorize
authorize_params: {service: initService}
scope: all
client_id: gjj-test
client_secret: gd-s3cret
token: {url: `+base+`/access_token, method: GET, secret_in: query, access_token: access_token, error: errcode}
userinfo: {url: `+base+`/tokeninfo, method: GET, token_in: query, token_param: access_token, error: errcode}
claims:
  subject: userobj.uid
  name: userobj.cn
  user_type: userobj.usertype
  id_number: userobj.idcardnumber
  id_type: userobj.idcardtype
  credit_code: userobj.useridcode
  level: user_creditable_level
  verified: userobj.isreal
user_types: {"1": person, "2": legal_person}
id_types: {"111": resident_id}
levels: {"2": gjj:loa:1, "3": gjj:loa:2, "4": gjj:loa:2, "5": gjj:loa:3}
verified_values: ["1"]
acr: gjj:loa:1
`)})
		c.Clients[0].Connectors = []string{"gd"}
	}}
}

func TestGuangdongStyleLogin(t *testing.T) {
	t.Parallel()
	gd := oauth2test.NewServer("gjj-test", "gd-s3cret",
		oauth2test.Account{UID: "gd-legal-1", CN: gdUnitName, UserType: "2", UserIDCode: gdUnitID, Level: "5", IsReal: "1", LinkPerson: "赵六"},
		oauth2test.Account{UID: "gd-person-1", CN: bt.AgentName, UserType: "1", IDCardType: "111", IDCardNumber: bt.AgentIDNumber, Level: "4", IsReal: "1"},
		oauth2test.Account{UID: "gd-person-2", CN: "孙七", UserType: "1", IDCardType: "111", IDCardNumber: bt.Agent2IDNumber, Level: "2", IsReal: "0"})
	t.Cleanup(gd.Close)
	logs := &bt.LogBuffer{}
	o := withGD(t, gd)
	o.Log = logs
	b := bt.Start(t, o)
	rp := bt.NewRP(t, b.URL)
	chooseAndExchange := func(uid string) map[string]any {
		t.Helper()
		br := bt.NewBrowser(t)
		f := rp.NewFlow()
		if loc, err := br.Get(f.URL); err != nil || loc != nil || !strings.Contains(br.Page, "模拟广东省统一身份认证平台") {
			t.Fatalf("want the platform's chooser: %v %v", loc, err)
		}
		link := regexpFind(t, br.Page, `href="([^"]*as=`+uid+`[^"]*)"`)
		loc, err := br.Get(gd.URL + link)
		if err != nil {
			t.Fatal(err)
		}
		if loc == nil {
			t.Fatalf("no redirect to the RP: %d %.500s", br.Last, br.Page)
		}
		return exchange(t, rp, f, loc)
	}

	// Legal person of a unit new to the broker: created, acting for it.
	c := chooseAndExchange("gd-legal-1")
	roles, _ := c["roles"].([]any)
	if c["sub"] != "u_"+gdUnitID || c["unit_id"] != gdUnitID || c["unit_name"] != gdUnitName || !slices.Contains(roles, any("legal_person")) ||
		c["acr"] != "gjj:loa:3" || c["idp"] != "gd" {
		t.Fatalf("legal person claims %v", c)
	}
	// Verified person: linked to the existing agent by ID number.
	if c := chooseAndExchange("gd-person-1"); c["name"] != bt.AgentName || c["unit_id"] != bt.UnitID || c["acr"] != "gjj:loa:2" {
		t.Fatalf("person claims %v", c)
	}
	// Unverified person: the binding page asks for proof.
	br := bt.NewBrowser(t)
	if _, err := br.Get(rp.NewFlow().URL); err != nil {
		t.Fatal(err)
	}
	if loc, err := br.Get(gd.URL + regexpFind(t, br.Page, `href="([^"]*as=gd-person-2[^"]*)"`)); err != nil || loc != nil || !strings.Contains(br.Page, "绑定经办人账户") {
		t.Fatalf("unverified person: %v %v %.400s", loc, err, br.Page)
	}

	// The platform answers with its error field set: a clear error page.
	gd.FailUserInfo("50001")
	br = bt.NewBrowser(t)
	if _, err := br.Get(rp.NewFlow().URL); err != nil {
		t.Fatal(err)
	}
	if loc, _ := br.Get(gd.URL + regexpFind(t, br.Page, `href="([^"]*as=gd-person-1[^"]*)"`)); loc != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, "返回错误") {
		t.Fatalf("error field: %v %d %.400s", loc, br.Last, br.Page)
	}
	for _, secret := range []string{"gd-s3cret", bt.AgentIDNumber, bt.Agent2IDNumber} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log shows %q", secret)
		}
	}
}
