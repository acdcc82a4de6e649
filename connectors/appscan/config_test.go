package appscan

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

func TestConfig(t *testing.T) {
	t.Parallel()
	defaults := defaultConfig()
	defaults.AppClients = []string{"gjj-app"}
	all := Config{AppClients: []string{"gjj-app", "gjj-app-ios"}, DeepLinkPrefix: "https://app.gjj.example.cn/qr?id=", Lifetime: 3 * time.Minute,
		PollTimeout: 20 * time.Second, MaxPolls: 30, IPCreateLimit: 10, RequestCreateLimit: 5, AppRateLimit: 20, ACR: "gjj:loa:3",
		RequireDeviceSignature: true, DeviceKeyLifetime: 720 * time.Hour, DevAppPage: true, DevAppUser: "13800138000"}
	const p = "connectors[3].config"
	tests := []yamlconfigtest.Case[Config]{
		{Name: "defaults", YAML: "app_clients: [gjj-app]", Want: defaults},
		{Name: "all set", YAML: `app_clients: [gjj-app, gjj-app-ios]
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
dev_app_user: "13800138000"`, Want: all},

		{Name: "absent", YAML: "", WantErr: []string{p + ".app_clients: required"}},
		{Name: "no app clients", YAML: "lifetime: 2m", WantErr: []string{p + ".app_clients: required"}},
		{Name: "app clients not a list", YAML: "app_clients: gjj-app", WantErr: []string{p + ".app_clients: must be a list of strings"}},
		{Name: "app client with a space", YAML: `app_clients: ["gjj app"]`, WantErr: []string{p + `.app_clients[0]: must be a client ID without spaces, got "gjj app"`}},
		{Name: "lifetime too long", YAML: "app_clients: [a]\nlifetime: 1h", WantErr: []string{p + ".lifetime: must be at most 10m0s"}},
		{Name: "lifetime garbage", YAML: "app_clients: [a]\nlifetime: soon", WantErr: []string{p + `.lifetime: must be a duration such as 120s, got "soon" (line 3)`}},
		{Name: "poll timeout past the write timeout", YAML: "app_clients: [a]\npoll_timeout: 60s", WantErr: []string{p + ".poll_timeout: must be at most 55s"}},
		{Name: "max polls zero", YAML: "app_clients: [a]\nmax_polls: 0", WantErr: []string{p + ".max_polls: must be at least 1"}},
		{Name: "ip limit not a number", YAML: "app_clients: [a]\nip_create_limit: many", WantErr: []string{p + `.ip_create_limit: must be a whole number`}},
		{Name: "http deep link", YAML: "app_clients: [a]\ndeep_link_prefix: http://app.example/qr?id=", WantErr: []string{p + ".deep_link_prefix: must not be plain http"}},
		{Name: "deep link without scheme", YAML: "app_clients: [a]\ndeep_link_prefix: qrlogin", WantErr: []string{p + ".deep_link_prefix: must be a URL prefix with a scheme"}},
		{Name: "deep link with a space", YAML: "app_clients: [a]\ndeep_link_prefix: \"gjj app://x\"", WantErr: []string{p + ".deep_link_prefix: must not contain spaces"}},
		{Name: "acr with a space", YAML: "app_clients: [a]\nacr: \"a b\"", WantErr: []string{p + ".acr: must not contain spaces"}},
		{Name: "bool not a bool", YAML: "app_clients: [a]\nrequire_device_signature: yes please", WantErr: []string{p + `.require_device_signature: must be true or false, got "yes please"`}},
		{Name: "dev page without user", YAML: "app_clients: [a]\ndev_app_page: true", WantErr: []string{p + ".dev_app_user: required with dev_app_page"}},
		{Name: "dev user without page", YAML: "app_clients: [a]\ndev_app_user: x", WantErr: []string{p + ".dev_app_user: only used with dev_app_page"}},
		{Name: "device key lifetime", YAML: "app_clients: [a]\ndevice_key_lifetime: 1m", WantErr: []string{p + ".device_key_lifetime: must be at least 1h0m0s"}},
		{Name: "unknown key", YAML: "app_clients: [a]\nlifetme: 2m", WantErr: []string{p + ".lifetme: unknown key (line 3); known keys: app_clients,"}},
		{Name: "not a mapping", YAML: "- x", WantErr: []string{p + ": must be a mapping with the keys app_clients,"}},
		{Name: "every error at once", YAML: "lifetime: 0s\nmax_polls: -1\nextra: 1", WantErr: []string{
			p + ".app_clients: required", p + ".lifetime:", p + ".max_polls:", p + ".extra: unknown key"}},
	}
	yamlconfigtest.Run(t, p, tests, parseConfig)
}

// TestOpenChecks: the acr must be a broker level, and the broker's services
// and secrets must be there.
func TestOpenChecks(t *testing.T) {
	t.Parallel()
	n := yamlconfigtest.Node(t, "app_clients: [a]\nacr: gold")
	_, err := Open(connectors.Spec{ID: "appscan", Config: n, Path: "connectors[1].config"},
		testDeps(connectorstest.New()))
	if err == nil || !strings.Contains(err.Error(), "connectors[1].config.acr: must be one of gjj:loa:1, gjj:loa:2, gjj:loa:3") {
		t.Errorf("unknown acr: %v", err)
	}
	n = yamlconfigtest.Node(t, "app_clients: [a]")
	if _, err := Open(connectors.Spec{ID: "appscan", Config: n}, connectors.Deps{Secrets: connectors.Secrets{IDHashKey: []byte("k")},
		ACRLevels: testLevels}); err == nil || !strings.Contains(err.Error(), "the host gave no Audit") {
		t.Errorf("no broker services: %v", err)
	}
	noKey := testDeps(connectorstest.New())
	noKey.Secrets.IDHashKey = nil
	if _, err := Open(connectors.Spec{ID: "appscan", Config: n}, noKey); err == nil || !strings.Contains(err.Error(), "IDHashKey") {
		t.Errorf("no ID hash key: %v", err)
	}
	noLevels := testDeps(connectorstest.New())
	noLevels.ACRLevels = nil
	if _, err := Open(connectors.Spec{ID: "appscan", Config: n}, noLevels); err == nil {
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
