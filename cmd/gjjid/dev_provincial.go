package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/cas"
	"github.com/gjjid/gjjid/connectors/cas/castest"
	"github.com/gjjid/gjjid/connectors/oauth2"
	"github.com/gjjid/gjjid/connectors/oauth2/oauth2test"
)

// The provincial platforms `gjjid dev` fakes on loopback ports: a CAS 3.0
// server and a Guangdong-style OAuth2-like platform, each with a legal
// person (法人) of a demo unit and a verified natural person, so that
// every provincial login works from the dev login page.
const (
	devGDClientID     = "gjjid-dev"
	devGDClientSecret = "gjjid-dev-gd-secret"
)

// devProvincial starts the fakes (until ctx ends) and adds the cas and gd
// connectors to cfg; it returns the banner lines.
func devProvincial(ctx context.Context, cfg *config.Config) (string, error) {
	casSrv := castest.New(
		castest.User{Name: "corp-" + DemoUnit2ID, Label: DemoUnit2Name + "（法人）", Attributes: map[string][]string{
			"cn": {DemoUnit2Name}, "usertype": {"2"}, "useridcode": {DemoUnit2ID}, "level": {"4"}}},
		castest.User{Name: "person-zhangsan", Label: DemoAgentName + "（个人，已实名）", Attributes: map[string][]string{
			"cn": {DemoAgentName}, "usertype": {"1"}, "idcardnumber": {DemoAgentID}, "level": {"3"}}},
	)
	casURL, err := serveLoopback(ctx, casSrv.Handler())
	if err != nil {
		return "", err
	}
	gd := oauth2test.New(devGDClientID, devGDClientSecret,
		oauth2test.Account{UID: "gd-legal-" + DemoUnitID, CN: DemoUnitName, UserType: "2", UserIDCode: DemoUnitID, Level: "4", IsReal: "1", LinkPerson: DemoAgentName},
		oauth2test.Account{UID: "gd-person-lisi", CN: DemoAgent2Name, UserType: "1", IDCardType: "111", IDCardNumber: DemoAgent2ID, Level: "4", IsReal: "1", Mobile: DemoAgent2Mobile},
	)
	gdURL, err := serveLoopback(ctx, gd.Handler())
	if err != nil {
		return "", err
	}
	casCfg, err := devNode(`server: ` + casURL + `/cas
claims: {name: attributes.cn, user_type: attributes.usertype, credit_code: attributes.useridcode, id_number: attributes.idcardnumber, level: attributes.level}
user_types: {"1": person, "2": legal_person}
levels: {"2": gjj:loa:1, "3": gjj:loa:2, "4": gjj:loa:2, "5": gjj:loa:3}
`)
	if err != nil {
		return "", err
	}
	base := gdURL + oauth2test.Base
	gdCfg, err := devNode(`authorize_url: ` + base + `/authorize
authorize_params: {service: initService}
scope: all
client_id: ` + devGDClientID + `
client_secret: ` + devGDClientSecret + `
token: {url: ` + base + `/access_token, method: GET, secret_in: query, access_token: access_token, error: errcode}
userinfo: {url: ` + base + `/tokeninfo, method: GET, token_in: query, token_param: access_token, error: errcode}
claims: {subject: userobj.uid, name: userobj.cn, user_type: userobj.usertype, id_number: userobj.idcardnumber, id_type: userobj.idcardtype, credit_code: userobj.useridcode, level: user_creditable_level, verified: userobj.isreal}
user_types: {"1": person, "2": legal_person}
id_types: {"111": resident_id}
levels: {"2": gjj:loa:1, "3": gjj:loa:2, "4": gjj:loa:2, "5": gjj:loa:3}
verified_values: ["1"]
acr: gjj:loa:1
`)
	if err != nil {
		return "", err
	}
	cfg.Connectors = append(cfg.Connectors,
		config.Connector{ID: "cas", Type: cas.Type, Name: "统一身份认证平台（CAS，模拟）", NameEN: "Unified identity platform (CAS, fake)", Config: casCfg},
		config.Connector{ID: "gd", Type: oauth2.Type, Name: "广东省统一身份认证平台（模拟）", NameEN: "Guangdong identity platform (fake)", Config: gdCfg})
	if err := cfg.Validate(); err != nil {
		return "", fmt.Errorf("dev configuration:\n%w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  fake CAS          %s/cas  (connector cas: legal person of %s, or %s)\n", casURL, DemoUnit2ID, DemoAgentName)
	fmt.Fprintf(&b, "  fake Guangdong    %s%s  (connector gd: legal person of %s, or %s)\n\n", gdURL, oauth2test.Base, DemoUnitID, DemoAgent2Name)
	return b.String(), nil
}

// serveLoopback serves h on a fresh loopback port until ctx ends.
func serveLoopback(ctx context.Context, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("dev fake upstream: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("dev fake upstream:", err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return "http://" + ln.Addr().String(), nil
}

func devNode(src string) (yaml.Node, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		return yaml.Node{}, err
	}
	return *n.Content[0], nil
}
