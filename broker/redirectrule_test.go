package broker_test

import (
	"net/http"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestOneRedirectURIRule: the redirect URIs the configuration file accepts
// (the demo client's http://127.0.0.1:5555/callback) are accepted by the
// admin API and dynamic registration too, for web clients, and a LAN http
// URI is refused by all three.
func TestOneRedirectURIRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		uri string
		ok  bool
	}{
		{"http://127.0.0.1:5555/callback", true},
		{"http://[::1]:5555/callback", true},
		{"http://localhost:5555/callback", true},
		{"http://192.168.1.5:5555/callback", false},
	} {
		cfg := bt.Config("https://sso.example.cn", bt.Options{})
		cfg.Clients[0].RedirectURIs = []string{tc.uri}
		if err := cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("config file, %s: %v, want accepted %v", tc.uri, err, tc.ok)
		}
	}
	b := bt.Start(t, withRegistration(bt.Options{}))
	admin := bt.NewAdminAPI(t, b.URL)
	for i, tc := range []struct {
		uri  string
		want int
	}{
		{"http://127.0.0.1:5555/callback", http.StatusCreated},
		{"http://localhost:5555/callback", http.StatusCreated},
		{"http://192.168.1.5:5555/callback", http.StatusBadRequest},
	} {
		body := map[string]any{"client_id": "loopback" + string(rune('a'+i)), "client_name": "本机开发", "redirect_uris": []string{tc.uri},
			"grant_types": []string{"authorization_code"}}
		if got := admin.Call(http.MethodPost, "/admin/v1/clients", body, nil); got != tc.want {
			t.Errorf("admin API, %s: %d, want %d", tc.uri, got, tc.want)
		}
		m := registrationMetadata("本机开发")
		m["redirect_uris"] = []string{tc.uri}
		resp, _ := regCall(t, http.MethodPost, b.URL+"/register", initialToken, m)
		if resp.StatusCode != tc.want {
			t.Errorf("dynamic registration, %s: %d, want %d", tc.uri, resp.StatusCode, tc.want)
		}
	}
}
