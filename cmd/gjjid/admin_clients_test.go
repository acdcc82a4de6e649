package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

type clientJSON struct {
	ID              string   `json:"client_id"`
	Name            string   `json:"client_name"`
	Secret          string   `json:"client_secret"`
	ApplicationType string   `json:"application_type"`
	AuthMethod      string   `json:"token_endpoint_auth_method"`
	RedirectURIs    []string `json:"redirect_uris"`
	PostLogout      []string `json:"post_logout_redirect_uris"`
	GrantTypes      []string `json:"grant_types"`
	Scopes          []string `json:"scopes"`
	Connectors      []string `json:"connectors"`
	AccessTTL       string   `json:"access_token_lifetime"`
	IDTokenAlg      string   `json:"id_token_signed_response_alg"`
	Backchannel     string   `json:"backchannel_logout_uri"`
	BackchannelSID  bool     `json:"backchannel_logout_session_required"`
	Source          string   `json:"source"`
}

func TestAdminClients(t *testing.T) {
	adminBackends(t, func(t *testing.T, b *bt.Broker) {
		created := adminJSON[clientJSON](t, b, "clients", "create", "--id", "rp1", "--name", "业务系统",
			"--redirect-uri", "https://rp.example/cb", "--grant", "authorization_code", "--grant", "refresh_token")
		if created.ID != "rp1" || created.Secret == "" || created.Name != "业务系统" || created.AuthMethod != "client_secret_basic" ||
			!slices.Equal(created.GrantTypes, []string{"authorization_code", "refresh_token"}) ||
			!slices.Equal(created.RedirectURIs, []string{"https://rp.example/cb"}) || created.Source != "admin" {
			t.Errorf("created = %+v", created)
		}

		// A table answer shows the secret once too, and says so.
		r := admin(t, b, "clients", "create", "--id", "rp2", "--name", "第二系统", "--redirect-uri", "https://rp2.example/cb",
			"--post-logout-redirect-uri", "https://rp2.example/bye", "--scope", "gjj:api", "--access-token-lifetime", "10m")
		if r.code != 0 {
			t.Fatalf("create rp2: %s", r)
		}
		mustContain(t, "create rp2", r.stdout, "client_id:", "rp2", "client_secret:", "第二系统", "https://rp2.example/bye", "gjj:api", "10m0s")
		mustContain(t, "create rp2 stderr", r.stderr, "shown only now")

		adminFails(t, b, 1, []string{"clients", "create", "--id", "rp1", "--name", "again", "--redirect-uri", "https://rp.example/cb"},
			"error: conflict")
		adminFails(t, b, 1, []string{"clients", "create", "--id", "rp3", "--name", "x", "--redirect-uri", "http://rp.example/cb"},
			"error: invalid_request", "(field redirect_uris[0])")
		adminFails(t, b, 2, []string{"clients", "create", "--id", "rp3", "--public", "--auth-method", "client_secret_basic"},
			"contradict")
		adminFails(t, b, 1, []string{"clients", "create", "--id", "rp3", "--name", "x", "--redirect-uri", "https://rp.example/cb",
			"--id-token-signed-response-alg", "HS256"}, "error: invalid_request", "(field id_token_signed_response_alg)")
		rsa := adminJSON[clientJSON](t, b, "clients", "create", "--id", "rp-rsa", "--name", "老系统", "--redirect-uri", "https://old.example/cb",
			"--id-token-signed-response-alg", "RS256")
		if rsa.IDTokenAlg != "RS256" {
			t.Errorf("created with --id-token-signed-response-alg RS256: %+v", rsa)
		}
		bcl := adminJSON[clientJSON](t, b, "clients", "create", "--id", "rp-bcl", "--name", "贷款系统", "--redirect-uri", "https://dk.example/cb",
			"--backchannel-logout-uri", "https://dk.example/bcl", "--backchannel-logout-session-required")
		if bcl.Backchannel != "https://dk.example/bcl" || !bcl.BackchannelSID {
			t.Errorf("created with --backchannel-logout-uri: %+v", bcl)
		}
		adminFails(t, b, 1, []string{"clients", "create", "--id", "rp4", "--name", "x", "--redirect-uri", "https://rp.example/cb",
			"--frontchannel-logout-uri", "http://rp.example/fcl"}, "error: invalid_request", "(field frontchannel_logout_uri)")

		list := admin(t, b, "clients", "list")
		mustContain(t, "clients list", list.stdout, "CLIENT_ID", "NAME", "rp1", "业务系统", "rp2", bt.ClientID, bt.AdminID)
		if strings.Contains(list.stdout, created.Secret) {
			t.Error("clients list shows a secret")
		}
		items := adminJSON[[]clientJSON](t, b, "clients", "list")
		var ids []string
		for _, c := range items {
			ids = append(ids, c.ID)
			if c.Secret != "" {
				t.Errorf("clients list --json shows the secret of %s", c.ID)
			}
		}
		for _, want := range []string{"rp1", "rp2", bt.ClientID, bt.NativeClientID, bt.ServiceID, bt.AdminID} {
			if !slices.Contains(ids, want) {
				t.Errorf("clients list --json lacks %s: %v", want, ids)
			}
		}
		// Configured clients are listed beside the API's, marked as such.
		for _, c := range items {
			want := "admin"
			if slices.Contains([]string{bt.ClientID, bt.NativeClientID, bt.ServiceID, bt.AdminID}, c.ID) {
				want = "config"
			}
			if c.Source != want {
				t.Errorf("clients list --json: %s has source %q, want %q", c.ID, c.Source, want)
			}
		}
		mustContain(t, "clients list", list.stdout, "SOURCE", "config", "admin")
		// One page: the rest is announced on stderr.
		r = admin(t, b, "clients", "list", "--limit", "2", "--json")
		if r.code != 0 || !strings.Contains(r.stderr, "--cursor") {
			t.Errorf("clients list --limit 2: %s", r)
		}

		got := adminOK(t, b, "clients", "get", "rp1")
		mustContain(t, "clients get", got, "client_id:", "rp1", "业务系统", "https://rp.example/cb", "authorization_code,refresh_token")
		if strings.Contains(got, created.Secret) || strings.Contains(got, "client_secret:") {
			t.Errorf("clients get shows the secret:\n%s", got)
		}

		// update replaces the fields given and keeps the rest.
		upd := adminJSON[clientJSON](t, b, "clients", "update", "rp1", "--name", "新业务系统", "--scope", "gjj:api",
			"--post-logout-redirect-uri", "https://rp.example/bye", "--connector", "password")
		if upd.Name != "新业务系统" || !slices.Equal(upd.Scopes, []string{"gjj:api"}) || !slices.Equal(upd.Connectors, []string{"password"}) ||
			!slices.Equal(upd.RedirectURIs, []string{"https://rp.example/cb"}) || !slices.Equal(upd.PostLogout, []string{"https://rp.example/bye"}) ||
			!slices.Equal(upd.GrantTypes, []string{"authorization_code", "refresh_token"}) || upd.Secret != "" {
			t.Errorf("updated = %+v", upd)
		}
		if g := adminJSON[clientJSON](t, b, "clients", "get", "rp1"); g.Name != "新业务系统" || !slices.Equal(g.Scopes, []string{"gjj:api"}) {
			t.Errorf("after update: %+v", g)
		}
		// An empty list value clears the list.
		if g := adminJSON[clientJSON](t, b, "clients", "update", "rp1", "--scope", "", "--connector", ""); len(g.Scopes) != 0 || len(g.Connectors) != 0 {
			t.Errorf("cleared lists: %+v", g)
		}
		adminFails(t, b, 2, []string{"clients", "update", "rp1"}, "nothing to change")
		adminFails(t, b, 1, []string{"clients", "update", "rp1", "--redirect-uri", "ftp://x"}, "(field redirect_uris[0])")
		adminFails(t, b, 1, []string{"clients", "update", "nosuch", "--name", "x"}, "error: not_found")
		// Clients from the configuration file are read-only.
		adminFails(t, b, 1, []string{"clients", "update", bt.ServiceID, "--name", "x"}, "error: conflict")
		for _, args := range [][]string{{"update", bt.ServiceID, "--name", "x"}, {"rotate-secret", bt.ServiceID}, {"delete", bt.ServiceID}} {
			adminFails(t, b, 1, append([]string{"clients"}, args...), "error: conflict",
				"client "+bt.ServiceID+" is defined in the configuration file; change it there")
		}
		if g := adminJSON[clientJSON](t, b, "clients", "get", bt.ServiceID); g.Name != "示例后台服务" || g.Source != "config" {
			t.Errorf("config client after refused changes: %+v", g)
		}

		rot := adminJSON[clientJSON](t, b, "clients", "rotate-secret", "rp1")
		if rot.ID != "rp1" || rot.Secret == "" || rot.Secret == created.Secret {
			t.Errorf("rotate-secret = %+v", rot)
		}

		if out := adminOK(t, b, "clients", "delete", "rp2"); !strings.Contains(out, "deleted client rp2") {
			t.Errorf("delete: %q", out)
		}
		adminFails(t, b, 1, []string{"clients", "get", "rp2"}, "error: not_found")
		adminFails(t, b, 1, []string{"clients", "delete", "rp2"}, "error: not_found")
	})
}

// TestAdminClientLogin: clients registered through the CLI complete the
// authorization code flow with the real relying-party libraries.
func TestAdminClientLogin(t *testing.T) {
	adminBackends(t, func(t *testing.T, b *bt.Broker) {
		ctx := context.Background()
		c := adminJSON[clientJSON](t, b, "clients", "create", "--id", "rp1", "--name", "业务系统",
			"--redirect-uri", "https://rp.example/cb", "--grant", "authorization_code", "--grant", "refresh_token")

		rp := bt.NewRP(t, b.URL)
		rp.OAuth2.ClientID, rp.OAuth2.ClientSecret, rp.OAuth2.RedirectURL = c.ID, c.Secret, "https://rp.example/cb"
		rp.Verifier = rp.Provider.Verifier(&oidc.Config{ClientID: c.ID})
		br := bt.NewBrowser(t)
		br.Client.CheckRedirect = stopAt("rp.example")

		f := rp.NewFlow()
		loc, err := br.Login(b.URL, f.URL, bt.AgentIDNumber, bt.AgentPassword)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		if loc == nil || loc.Host != "rp.example" || loc.Path != "/cb" {
			t.Fatalf("redirect = %v (page %d: %.300s)", loc, br.Last, br.Page)
		}
		code, err := rp.Callback(f, loc)
		if err != nil {
			t.Fatalf("callback: %v", err)
		}
		tok, idt, err := rp.Exchange(ctx, f, code)
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		var claims map[string]any
		_ = idt.Claims(&claims)
		if !slices.Equal(idt.Audience, []string{c.ID}) || claims["name"] != bt.AgentName || claims["unit_id"] != bt.UnitID {
			t.Errorf("id token claims = %v", claims)
		}
		if tok.RefreshToken == "" {
			t.Fatal("no refresh token")
		}
		next, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}

		// After rotate-secret only the new secret works.
		rot := adminJSON[clientJSON](t, b, "clients", "rotate-secret", c.ID)
		if _, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: next.RefreshToken}).Token(); !isOAuthError(err, "invalid_client") {
			t.Errorf("refresh with the old secret: %v", err)
		}
		rp.OAuth2.ClientSecret = rot.Secret
		if _, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: next.RefreshToken}).Token(); err != nil {
			t.Errorf("refresh with the new secret: %v", err)
		}

		// A native public client (PKCE, loopback redirect on any port).
		n := adminJSON[clientJSON](t, b, "clients", "create", "--name", "桌面端", "--native", "--public",
			"--redirect-uri", "http://127.0.0.1/callback")
		if n.ID == "" || n.Secret != "" || n.AuthMethod != "none" || n.ApplicationType != "native" {
			t.Fatalf("native client = %+v", n)
		}
		native := bt.NewRP(t, b.URL)
		native.OAuth2.ClientID, native.OAuth2.ClientSecret = n.ID, ""
		native.OAuth2.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		native.OAuth2.RedirectURL = "http://127.0.0.1:49153/callback"
		native.OAuth2.Scopes = []string{oidc.ScopeOpenID, "profile"}
		native.Verifier = native.Provider.Verifier(&oidc.Config{ClientID: n.ID})
		br2 := bt.NewBrowser(t)
		br2.Client.CheckRedirect = stopAt("127.0.0.1:49153")
		f = native.NewFlow()
		loc, err = br2.Login(b.URL, f.URL, bt.AgentIDNumber, bt.AgentPassword)
		if err != nil {
			t.Fatalf("native login: %v", err)
		}
		code, err = native.Callback(f, loc)
		if err != nil {
			t.Fatalf("native callback: %v (page %d: %.300s)", err, br2.Last, br2.Page)
		}
		if _, _, err := native.Exchange(ctx, f, code); err != nil {
			t.Fatalf("native exchange: %v", err)
		}

		// A deleted client can no longer start a login.
		adminOK(t, b, "clients", "delete", c.ID)
		br3 := bt.NewBrowser(t)
		br3.Client.CheckRedirect = stopAt("rp.example")
		if l, _ := br3.Get(rp.NewFlow().URL); l != nil && l.Query().Get("code") != "" {
			t.Errorf("deleted client got a code: %v", l)
		}
	})
}

// stopAt makes a test browser stop at redirects to host (the relying
// party, where nothing listens).
func stopAt(host string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == host {
			return http.ErrUseLastResponse
		}
		if len(via) > 10 {
			return errors.New("too many redirects")
		}
		return nil
	}
}

func isOAuthError(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}
