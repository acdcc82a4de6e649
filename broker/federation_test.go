package broker_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/oidc"
	"github.com/gjjid/gjjid/connectors/oidc/oidctest"
)

// Federation: a downstream gjjid (D) whose only login method is an oidc
// connector "up" to an upstream gjjid (U), as a broker behind a broker.
// U runs on 127.0.0.2 so the two brokers' cookies stay apart in one
// browser (cookies ignore ports).

const (
	downstreamClient = "downstream"
	downstreamSecret = "downstream-secret-0123456789"
	newcomerName     = "王五"
	newcomerID       = "11010519491231002X"
	newcomerPassword = "258036"
)

func yamlNode(t *testing.T, src string) yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return *n.Content[0]
}

func listen(t *testing.T, host string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// federated starts U and D; edit may change D's connector config text.
func federated(t *testing.T, upEdit func(*config.Config)) (up, down *bt.Broker) {
	t.Helper()
	lnD, lnU := listen(t, "127.0.0.1"), listen(t, "127.0.0.2")
	dURL, uURL := "http://"+lnD.Addr().String(), "http://"+lnU.Addr().String()
	up = bt.Start(t, bt.Options{Listener: lnU, Edit: func(c *config.Config) {
		c.Clients = append(c.Clients, config.Client{ID: downstreamClient, Name: "下游网厅", Secret: downstreamSecret,
			RedirectURIs: []string{dURL + "/login/up/callback"}, PostLogoutRedirectURIs: []string{dURL + "/login/up/logged-out"},
			GrantTypes: []string{"authorization_code"}, Scopes: []string{"gjj:id_number"},
			AuthMethod: "client_secret_basic", ApplicationType: "web"})
		// Someone only the upstream knows.
		c.Seed.Persons = append(c.Seed.Persons, config.SeedPerson{Name: newcomerName, IDType: "resident_id", IDNumber: newcomerID,
			Password: newcomerPassword, Units: []string{bt.Unit2ID}})
		if upEdit != nil {
			upEdit(c)
		}
	}})
	down = bt.Start(t, bt.Options{Listener: lnD, Edit: func(c *config.Config) {
		c.Connectors = append(c.Connectors, config.Connector{ID: "up", Type: oidc.Type, Name: "上级统一认证", Config: yamlNode(t, `issuer: `+uURL+`
client_id: `+downstreamClient+`
client_secret: `+downstreamSecret+`
scopes: [openid, profile, gjj:id_number]
userinfo: true
claims: {name: name, id_number: id_number, id_type: id_type, level: acr}
# The upstream broker's logins prove persons bound at its counter.
verified_acr: [gjj:loa:1, gjj:loa:2, gjj:loa:3]
`)})
		c.Clients[0].Connectors = []string{"up"}
	}})
	return up, down
}

// federatedLogin signs in at U's password form through D; it returns D's
// ID token claims and tokens.
func federatedLogin(t *testing.T, up, down *bt.Broker, rp *bt.RP, br *bt.Browser, user, password string) (map[string]any, string) {
	t.Helper()
	_, tok, claims := rp.PasswordLogin(t, br, up.URL, user, password)
	return claims, tok.Extra("id_token").(string)
}

func TestBrokerBehindBroker(t *testing.T) {
	t.Parallel()
	up, down := federated(t, func(c *config.Config) { c.Keys.CheckInterval = 100 * time.Millisecond })
	rp := bt.NewRP(t, down.URL)
	br := bt.NewBrowser(t)

	// A person both brokers know: linked by the verified ID number.
	claims, idToken := federatedLogin(t, up, down, rp, br, bt.AgentIDNumber, bt.AgentPassword)
	if claims["idp"] != "up" || claims["name"] != bt.AgentName || claims["unit_id"] != bt.UnitID {
		t.Fatalf("claims %v", claims)
	}
	admin := bt.NewAdminAPI(t, down.URL)
	var p map[string]any
	admin.Want(http.StatusOK, "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": bt.AgentIDNumber}, &p)
	if claims["sub"] != p["id"] {
		t.Fatalf("sub %v, want the existing person %v", claims["sub"], p["id"])
	}

	// The upstream rotates its signing key mid-test; the downstream
	// verifies ID tokens signed by the new key.
	oldKID := up.Keys.Active().ID()
	if err := up.Keys.RotateNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); up.Keys.Active().ID() == oldKID; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the upstream's rotation never took effect")
		}
	}
	claims2, _ := federatedLogin(t, up, down, rp, bt.NewBrowser(t), bt.AgentIDNumber, bt.AgentPassword)
	if claims2["sub"] != claims["sub"] {
		t.Fatalf("after the upstream's key rotation: sub %v, want %v", claims2["sub"], claims["sub"])
	}

	// A person only the upstream knows is created downstream.
	claims3, _ := federatedLogin(t, up, down, rp, bt.NewBrowser(t), newcomerID, newcomerPassword)
	if claims3["name"] != newcomerName || claims3["sub"] == claims["sub"] {
		t.Fatalf("newcomer claims %v", claims3)
	}
	admin.Want(http.StatusOK, "POST", "/admin/v1/persons/lookup", map[string]any{"id_number": newcomerID}, &p)
	if p["id"] != claims3["sub"] {
		t.Fatalf("created person %v, token sub %v", p["id"], claims3["sub"])
	}

	// RP-initiated logout at D passes through U's end_session and ends
	// there at the relying party's post-logout URI with its state.
	q := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {bt.PostLogoutURI}, "state": {"bye"}}
	loc, err := br.Get(down.URL + "/end_session?" + q.Encode())
	if err != nil || loc == nil || !strings.HasPrefix(loc.String(), bt.PostLogoutURI) || loc.Query().Get("state") != "bye" {
		t.Fatalf("federated logout ended at %v %v (%d %.300s)", loc, err, br.Last, br.Page)
	}
	// Both sessions are gone: the next login asks for the password at U.
	if loc, err := br.Get(rp.NewFlow().URL); err != nil || loc != nil || !strings.Contains(br.Page, `name="secret"`) {
		t.Fatalf("after logout: %v %v, want U's password form", loc, err)
	}
}

// TestFederationRefusesBadIDTokens: D refuses ID tokens with a wrong
// nonce, a wrong audience, past expiry or no signature, showing its error
// page and starting no session.
func TestFederationRefusesBadIDTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper func(map[string]any)
		none   bool
	}{
		{name: "wrong nonce", tamper: func(c map[string]any) { c["nonce"] = "not-this-login" }},
		{name: "wrong audience", tamper: func(c map[string]any) { c["aud"] = "someone-else" }},
		{name: "expired", tamper: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }},
		{name: "alg none", none: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			op := oidctest.NewServer("gjj", "op-secret")
			t.Cleanup(op.Close)
			op.SetClaims(map[string]any{"sub": "u-1", "name": bt.AgentName, "id_number": bt.AgentIDNumber, "acr": "gjj:loa:2"})
			op.Tamper(tc.tamper)
			op.Unsigned(tc.none)
			logs := &bt.LogBuffer{}
			b := bt.Start(t, bt.Options{Log: logs, Edit: func(c *config.Config) {
				c.Connectors = append(c.Connectors, config.Connector{ID: "prov", Type: oidc.Type, Config: yamlNode(t,
					"issuer: "+op.URL+"\nclient_id: gjj\nclient_secret: op-secret\nclaims: {id_number: id_number, level: acr}\n")})
				c.Clients[0].Connectors = []string{"prov"}
			}})
			br := bt.NewBrowser(t)
			got, err := br.Get(bt.NewRP(t, b.URL).NewFlow().URL)
			if err != nil || got != nil || br.Last != http.StatusForbidden || !strings.Contains(br.Page, "无法验证") {
				t.Fatalf("bad ID token: %v %v %d %.400s", got, err, br.Last, br.Page)
			}
			if slices.ContainsFunc(br.Client.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(b.URL, "http://")}),
				func(c *http.Cookie) bool { return c.Name == "gjjid_session" }) {
				t.Fatal("a session after a refused ID token")
			}
			if !strings.Contains(logs.String(), "upstream_invalid") {
				t.Errorf("no log of the refusal:\n%s", logs)
			}
		})
	}
}
