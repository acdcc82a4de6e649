package broker_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// Two configuration files for instances on one store, as in a rolling
// upgrade: A has the usual clients plus only-a; B drops the service
// client, adds only-b and names the demo client differently.
const (
	onlyA, onlyASecret = "only-a", "only-a-secret"
	onlyB, onlyBSecret = "only-b", "only-b-secret"
	demoNameB          = "B 的示例业务系统"
)

func fileA(c *config.Config) {
	c.Clients = append(c.Clients, config.Client{ID: onlyA, Name: "A 专用", Secret: onlyASecret, AuthMethod: "client_secret_basic",
		ApplicationType: "web", GrantTypes: []string{"client_credentials"}})
}

func fileB(c *config.Config) {
	c.Clients = slices.DeleteFunc(c.Clients, func(cl config.Client) bool { return cl.ID == bt.ServiceID })
	for i := range c.Clients {
		if c.Clients[i].ID == bt.ClientID {
			c.Clients[i].Name = demoNameB
		}
	}
	c.Clients = append(c.Clients, config.Client{ID: onlyB, Name: "B 专用", Secret: onlyBSecret, AuthMethod: "client_secret_basic",
		ApplicationType: "web", GrantTypes: []string{"client_credentials"}})
}

// clientCredentials asks issuer for a client_credentials token and
// returns the status.
func clientCredentials(t *testing.T, issuer, id, secret string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, issuer+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// storedClients lists every client record in the shared store itself.
func storedClients(t *testing.T, st store.Clients) []*store.Client {
	t.Helper()
	var all []*store.Client
	for cursor := ""; ; {
		page, next, err := st.ListClients(context.Background(), cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

// wantServes checks which configured clients each instance serves, by a
// real token request and by the admin API's view.
func wantServes(t *testing.T, a, b *bt.Broker) {
	t.Helper()
	for _, tt := range []struct {
		name       string
		b          *bt.Broker
		id, secret string
		want       int
	}{
		{"A serves its own", a, onlyA, onlyASecret, http.StatusOK},
		{"A does not serve B's", a, onlyB, onlyBSecret, http.StatusUnauthorized},
		{"A serves the service client", a, bt.ServiceID, bt.ServiceSecret, http.StatusOK},
		{"B serves its own", b, onlyB, onlyBSecret, http.StatusOK},
		{"B does not serve A's", b, onlyA, onlyASecret, http.StatusUnauthorized},
		{"B's file dropped the service client", b, bt.ServiceID, bt.ServiceSecret, http.StatusUnauthorized},
	} {
		if got := clientCredentials(t, tt.b.URL, tt.id, tt.secret); got != tt.want {
			t.Errorf("%s: client_credentials for %s: %d, want %d", tt.name, tt.id, got, tt.want)
		}
	}
	ctx := context.Background()
	for _, tt := range []struct {
		b    *bt.Broker
		name string
	}{{a, "示例业务系统"}, {b, demoNameB}} {
		c, err := tt.b.Clients.Get(ctx, bt.ClientID)
		if err != nil || c.Name != tt.name || c.Source != store.SourceConfig {
			t.Errorf("%s on %s: %+v, %v; want %q from the config", bt.ClientID, tt.b.URL, c, err, tt.name)
		}
	}
}

// TestConfigClientsPerInstance: instances with different configuration
// files on one store each serve their own file's clients; starting never
// writes or deletes a client, so neither removes or overwrites the other's,
// and a client made through the admin API of one is seen by both and
// survives restarting either.
func TestConfigClientsPerInstance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	shared := bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t)}
	with := func(edit func(*config.Config)) bt.Options { o := shared; o.Edit = edit; return o }

	a := bt.Start(t, with(fileA))
	b := bt.Start(t, with(fileB))
	if got := storedClients(t, a.Store); len(got) != 0 {
		t.Fatalf("starting wrote %d clients to the store: %+v", len(got), got[0])
	}
	wantServes(t, a, b)

	// A client made through A's admin API: B sees and serves it.
	var made map[string]any
	bt.NewAdminAPI(t, a.URL).Want(http.StatusCreated, "POST", "/admin/v1/clients",
		map[string]any{"client_id": "api-made", "client_name": "接口注册", "grant_types": []string{"client_credentials"}}, &made)
	secret, _ := made["client_secret"].(string)
	var seen map[string]any
	bt.NewAdminAPI(t, b.URL).Want(http.StatusOK, "GET", "/admin/v1/clients/api-made", nil, &seen)
	if seen["source"] != store.SourceAdmin || seen["client_name"] != "接口注册" {
		t.Errorf("B's admin API shows %v", seen)
	}
	if got := clientCredentials(t, b.URL, "api-made", secret); got != http.StatusOK {
		t.Errorf("B serving the API-made client: %d", got)
	}
	before, err := a.Store.GetClient(ctx, "api-made")
	if err != nil {
		t.Fatal(err)
	}

	// Restart each instance (a new one with the same file on the same store).
	a2 := bt.Start(t, with(fileA))
	b2 := bt.Start(t, with(fileB))
	wantServes(t, a2, b2)
	wantServes(t, a, b)
	after, err := a.Store.GetClient(ctx, "api-made")
	if err != nil || after.Name != before.Name || after.SecretHash != before.SecretHash || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("the API-made client after restarts: %+v, %v; before %+v", after, err, before)
	}
	for _, x := range []*bt.Broker{a, b, a2, b2} {
		if got := clientCredentials(t, x.URL, "api-made", secret); got != http.StatusOK {
			t.Errorf("%s serving the API-made client after restarts: %d", x.URL, got)
		}
	}
	if got := storedClients(t, a.Store); len(got) != 1 || got[0].ID != "api-made" {
		t.Errorf("store after restarts holds %d clients, want only api-made", len(got))
	}
}

// TestConfigClientsRefusedByAdminAPI: the admin API lists configured
// clients beside stored ones, marked as such, refuses to change, rotate or
// delete them with a 409 naming the reason, and refuses their IDs to new
// clients; nothing changes.
func TestConfigClientsRefusedByAdminAPI(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		ctx := context.Background()
		api := bt.NewAdminAPI(t, b.URL)
		before, err := b.Clients.Get(ctx, bt.ServiceID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, method, path string
			body               any
			want               string
		}{
			{"update", "PUT", "/admin/v1/clients/" + bt.ServiceID, map[string]any{"client_name": "x", "grant_types": []string{"client_credentials"}},
				"client demo-service is defined in the configuration file; change it there"},
			{"rotate", "POST", "/admin/v1/clients/" + bt.ServiceID + "/secret", nil,
				"client demo-service is defined in the configuration file; change it there"},
			{"delete", "DELETE", "/admin/v1/clients/" + bt.ServiceID, nil,
				"client demo-service is defined in the configuration file; change it there"},
			{"create with its ID", "POST", "/admin/v1/clients", map[string]any{"client_id": bt.ServiceID, "client_name": "x", "grant_types": []string{"client_credentials"}},
				"already exists"},
		} {
			var e apiErr
			if got := api.Call(tt.method, tt.path, tt.body, &e); got != http.StatusConflict || e.Error != "conflict" || e.Description != tt.want {
				t.Errorf("%s: %d %+v, want 409 conflict %q", tt.name, got, e, tt.want)
			}
		}
		after, err := b.Clients.Get(ctx, bt.ServiceID)
		if err != nil || after.Name != before.Name || after.SecretHash != before.SecretHash || !slices.Equal(after.GrantTypes, before.GrantTypes) {
			t.Errorf("refused calls changed the client: %+v, %v", after, err)
		}
		if got := clientCredentials(t, b.URL, bt.ServiceID, bt.ServiceSecret); got != http.StatusOK {
			t.Errorf("the service client after refused calls: %d", got)
		}
		if got := storedClients(t, b.Store); len(got) != 0 {
			t.Errorf("refused calls stored %d clients", len(got))
		}

		var list struct {
			Items []map[string]any `json:"items"`
		}
		api.Want(http.StatusOK, "GET", "/admin/v1/clients", nil, &list)
		sources := map[string]any{}
		for _, c := range list.Items {
			sources[c["client_id"].(string)] = c["source"]
		}
		for _, id := range []string{bt.ClientID, bt.NativeClientID, bt.ServiceID, bt.AdminID} {
			if sources[id] != store.SourceConfig {
				t.Errorf("listed %s with source %v, want config (all: %v)", id, sources[id], sources)
			}
		}
	})
}

// TestStaleConfigClientsFromEarlierVersions: config clients an earlier
// version wrote into the store are not served when the file lacks them,
// are shadowed when it has them, and an administrator can delete them.
func TestStaleConfigClientsFromEarlierVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := bt.Start(t, bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t)})
	// As an earlier version's start would have written them.
	svc, err := b.Clients.Get(ctx, bt.ServiceID)
	if err != nil {
		t.Fatal(err)
	}
	dropped := *svc
	dropped.ID, dropped.Name = "dropped-from-file", "旧文件里的客户端"
	shadowed := *svc
	shadowed.Name = "old copy"
	for _, c := range []*store.Client{&dropped, &shadowed} {
		c.Source = store.SourceConfig
		if err := b.Store.PutClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if got := clientCredentials(t, b.URL, dropped.ID, bt.ServiceSecret); got != http.StatusUnauthorized {
		t.Errorf("a stale copy the file lacks was served: %d", got)
	}
	if c, err := b.Clients.Get(ctx, bt.ServiceID); err != nil || c.Name != svc.Name {
		t.Errorf("the file's client is shadowed by its old copy: %+v, %v", c, err)
	}
	api := bt.NewAdminAPI(t, b.URL)
	var got map[string]any
	api.Want(http.StatusOK, "GET", "/admin/v1/clients/"+dropped.ID, nil, &got)
	if got["source"] != clients.SourceStaleConfig {
		t.Errorf("stale copy shown as %v", got)
	}
	var e apiErr
	if status := api.Call("POST", "/admin/v1/clients/"+dropped.ID+"/secret", nil, &e); status != http.StatusConflict || !strings.Contains(e.Description, "delete it") {
		t.Errorf("rotating a stale copy: %d %+v", status, e)
	}
	api.Want(http.StatusNoContent, "DELETE", "/admin/v1/clients/"+dropped.ID, nil, nil)
	if _, err := b.Store.GetClient(ctx, dropped.ID); err == nil {
		t.Error("stale copy still stored after delete")
	}
}

// TestConfigClientShadowsAPIClient: a file that comes to define the ID of
// a client made through the admin API wins on the instances that have it,
// leaves the stored client alone and says so in the log at start.
func TestConfigClientShadowsAPIClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	shared := bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t)}
	first := bt.Start(t, shared)
	bt.NewAdminAPI(t, first.URL).Want(http.StatusCreated, "POST", "/admin/v1/clients",
		map[string]any{"client_id": "taken-later", "client_name": "接口注册", "grant_types": []string{"client_credentials"}}, nil)

	logs := &bt.LogBuffer{}
	o := shared
	o.Log = logs
	o.Edit = func(c *config.Config) {
		c.Clients = append(c.Clients, config.Client{ID: "taken-later", Name: "文件定义", Secret: "file-secret",
			AuthMethod: "client_secret_basic", ApplicationType: "web", GrantTypes: []string{"client_credentials"}})
	}
	second := bt.Start(t, o)
	if !strings.Contains(logs.String(), "shadows a stored client") || !strings.Contains(logs.String(), `"client_id":"taken-later"`) {
		t.Errorf("no warning about the shadowed client in:\n%s", logs.String())
	}
	if c, err := second.Clients.Get(ctx, "taken-later"); err != nil || c.Name != "文件定义" || c.Source != store.SourceConfig {
		t.Errorf("second instance: %+v, %v; want the file's client", c, err)
	}
	if c, err := first.Clients.Get(ctx, "taken-later"); err != nil || c.Name != "接口注册" || c.Source != store.SourceAdmin {
		t.Errorf("first instance: %+v, %v; want the stored client, untouched", c, err)
	}
	if got := clientCredentials(t, second.URL, "taken-later", "file-secret"); got != http.StatusOK {
		t.Errorf("second instance serving the file's client: %d", got)
	}
}
