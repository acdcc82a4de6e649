package appscan

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
)

func node(t *testing.T, src string) yaml.Node {
	t.Helper()
	var doc struct {
		Config yaml.Node `yaml:"config"`
	}
	lines := strings.Split(strings.TrimRight(src, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	if err := yaml.Unmarshal([]byte("config:\n"+strings.Join(lines, "\n")+"\n"), &doc); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	return doc.Config
}

func TestConfig(t *testing.T) {
	t.Parallel()
	defaults := defaultConfig()
	defaults.AppClients = []string{"gjj-app"}
	all := Config{AppClients: []string{"gjj-app", "gjj-app-ios"}, DeepLinkPrefix: "https://app.gjj.example.cn/qr?id=", Lifetime: 3 * time.Minute,
		PollTimeout: 20 * time.Second, MaxPolls: 30, IPCreateLimit: 10, RequestCreateLimit: 5, AppRateLimit: 20, ACR: "gjj:loa:3",
		RequireDeviceSignature: true, DeviceKeyLifetime: 720 * time.Hour, DevAppPage: true, DevAppUser: "13800138000"}
	const p = "connectors[3].config"
	tests := []struct {
		name    string
		yaml    string
		want    Config
		wantErr []string
	}{
		{name: "defaults", yaml: "app_clients: [gjj-app]", want: defaults},
		{name: "all set", yaml: `app_clients: [gjj-app, gjj-app-ios]
deep_link_prefix: "https://app.gjj.example.cn/qr?id="
lifetime: 3m
poll_timeout: 20s
max_polls: 30
ip_create_limit: 10
request_create_limit: 5
app_rate_limit: 20
acr: gjj:loa:3
require_device_signature: true
device_key_lifetime: 720h
dev_app_page: true
dev_app_user: "13800138000"`, want: all},

		{name: "absent", yaml: "", wantErr: []string{p + ".app_clients: required"}},
		{name: "no app clients", yaml: "lifetime: 2m", wantErr: []string{p + ".app_clients: required"}},
		{name: "app clients not a list", yaml: "app_clients: gjj-app", wantErr: []string{p + ".app_clients: must be a list of strings"}},
		{name: "app client with a space", yaml: `app_clients: ["gjj app"]`, wantErr: []string{p + `.app_clients[0]: must be a client ID without spaces, got "gjj app"`}},
		{name: "lifetime too long", yaml: "app_clients: [a]\nlifetime: 1h", wantErr: []string{p + ".lifetime: must be at most 10m0s"}},
		{name: "lifetime garbage", yaml: "app_clients: [a]\nlifetime: soon", wantErr: []string{p + `.lifetime: must be a duration such as 120s, got "soon" (line 3)`}},
		{name: "poll timeout past the write timeout", yaml: "app_clients: [a]\npoll_timeout: 60s", wantErr: []string{p + ".poll_timeout: must be at most 55s"}},
		{name: "max polls zero", yaml: "app_clients: [a]\nmax_polls: 0", wantErr: []string{p + ".max_polls: must be at least 1"}},
		{name: "ip limit not a number", yaml: "app_clients: [a]\nip_create_limit: many", wantErr: []string{p + `.ip_create_limit: must be a whole number`}},
		{name: "http deep link", yaml: "app_clients: [a]\ndeep_link_prefix: http://app.example/qr?id=", wantErr: []string{p + ".deep_link_prefix: must not be plain http"}},
		{name: "deep link without scheme", yaml: "app_clients: [a]\ndeep_link_prefix: qrlogin", wantErr: []string{p + ".deep_link_prefix: must be a URL prefix with a scheme"}},
		{name: "deep link with a space", yaml: "app_clients: [a]\ndeep_link_prefix: \"gjj app://x\"", wantErr: []string{p + ".deep_link_prefix: must not contain spaces"}},
		{name: "acr with a space", yaml: "app_clients: [a]\nacr: \"a b\"", wantErr: []string{p + ".acr: must not contain spaces"}},
		{name: "bool not a bool", yaml: "app_clients: [a]\nrequire_device_signature: yes please", wantErr: []string{p + `.require_device_signature: must be true or false, got "yes please"`}},
		{name: "dev page without user", yaml: "app_clients: [a]\ndev_app_page: true", wantErr: []string{p + ".dev_app_user: required with dev_app_page"}},
		{name: "dev user without page", yaml: "app_clients: [a]\ndev_app_user: x", wantErr: []string{p + ".dev_app_user: only used with dev_app_page"}},
		{name: "device key lifetime", yaml: "app_clients: [a]\ndevice_key_lifetime: 1m", wantErr: []string{p + ".device_key_lifetime: must be at least 1h0m0s"}},
		{name: "unknown key", yaml: "app_clients: [a]\nlifetme: 2m", wantErr: []string{p + ".lifetme: unknown key (line 3); known keys: app_clients,"}},
		{name: "not a mapping", yaml: "- x", wantErr: []string{p + ": must be a mapping with the keys app_clients,"}},
		{name: "every error at once", yaml: "lifetime: 0s\nmax_polls: -1\nextra: 1", wantErr: []string{
			p + ".app_clients: required", p + ".lifetime:", p + ".max_polls:", p + ".extra: unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := node(t, tt.yaml)
			got, err := parseConfig(&n, p)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("parseConfig: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("parseConfig =\n %+v\nwant\n %+v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseConfig accepted %q as %+v", tt.yaml, got)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestOpenChecks: the acr must be a broker level, and the broker's services
// and secrets must be there.
func TestOpenChecks(t *testing.T) {
	t.Parallel()
	n := node(t, "app_clients: [a]\nacr: gold")
	_, err := Open(connectors.Spec{ID: "appscan", Config: n, Path: "connectors[1].config"},
		connectors.Deps{Broker: newFakeServices(), Secrets: connectors.Secrets{IDHashKey: []byte("k")}}, Options{ACRLevels: testLevels})
	if err == nil || !strings.Contains(err.Error(), "connectors[1].config.acr: must be one of gjj:loa:1, gjj:loa:2, gjj:loa:3") {
		t.Errorf("unknown acr: %v", err)
	}
	n = node(t, "app_clients: [a]")
	if _, err := Open(connectors.Spec{ID: "appscan", Config: n}, connectors.Deps{Secrets: connectors.Secrets{IDHashKey: []byte("k")}},
		Options{ACRLevels: testLevels}); err == nil || !strings.Contains(err.Error(), "appscan.Services") {
		t.Errorf("no broker services: %v", err)
	}
	if _, err := Open(connectors.Spec{ID: "appscan", Config: n}, connectors.Deps{Broker: newFakeServices()},
		Options{ACRLevels: testLevels}); err == nil || !strings.Contains(err.Error(), "id_hash_key") {
		t.Errorf("no ID hash key: %v", err)
	}
	if _, err := Open(connectors.Spec{ID: "appscan", Config: n}, connectors.Deps{Broker: newFakeServices()}, Options{}); err == nil {
		t.Error("opened without assurance levels")
	}
}

// TestExampleConfig: the commented appscan block of config/example.yaml,
// uncommented, is a valid connector configuration (every key shown).
func TestExampleConfig(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "  # - id: appscan"):
			in = true
		case in && !strings.HasPrefix(line, "  #   "): // the block's lines are indented below its "- id:"
			in = false
		}
		if in {
			block = append(block, strings.Replace(line, "  # ", "", 1))
		}
	}
	if len(block) == 0 {
		t.Fatal("config/example.yaml has no commented appscan connector")
	}
	var conns []struct {
		ID     string    `yaml:"id"`
		Type   string    `yaml:"type"`
		Config yaml.Node `yaml:"config"`
	}
	if err := yaml.Unmarshal([]byte(strings.Join(block, "\n")), &conns); err != nil || len(conns) != 1 {
		t.Fatalf("the example block does not parse: %v\n%s", err, strings.Join(block, "\n"))
	}
	if conns[0].Type != Type {
		t.Fatalf("example type %q", conns[0].Type)
	}
	got, err := parseConfig(&conns[0].Config, "connectors[1].config")
	if err != nil {
		t.Fatalf("the example is not valid: %v", err)
	}
	// The decoder lists every key it knows when it meets one it does not.
	var probe yaml.Node
	if err := yaml.Unmarshal([]byte("app_clients: [a]\nzz: 1\n"), &probe); err != nil {
		t.Fatal(err)
	}
	_, err = parseConfig(&probe, "c")
	_, known, found := strings.Cut(fmt.Sprint(err), "known keys: ")
	if !found {
		t.Fatalf("an unknown key: %v", err)
	}
	known, _, _ = strings.Cut(known, "\n")
	for _, key := range strings.Split(known, ", ") {
		if key != "dev_app_user" && !strings.Contains(strings.Join(block, "\n"), key+":") {
			t.Errorf("the example does not show %s", key)
		}
	}
	if got.DevAppPage {
		t.Error("the example turns the dev page on")
	}
}
