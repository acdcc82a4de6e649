package deploy

import (
	"bufio"
	"net"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/config"
)

// readEnvFile reads compose's env_file format (KEY=VALUE, # comments).
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is not KEY=VALUE", path, line)
		}
		env[k] = v
	}
	return env
}

// TestComposeConfig loads the compose setup's gjjid config with its
// secrets.env the way `gjjid serve` does, and checks that it fits the
// compose file: the proxy's network is trusted, Redis is the compose one
// with its password, and Redis keeps an AOF.
func TestComposeConfig(t *testing.T) {
	env := readEnvFile(t, "compose/secrets.env")
	for k, v := range env {
		t.Setenv(k, v)
	}
	data, err := os.ReadFile("compose/gjjid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatalf("compose/gjjid.yaml with secrets.env: %v", err)
	}

	var compose struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
		Networks map[string]struct {
			IPAM struct {
				Config []struct {
					Subnet string `yaml:"subnet"`
				} `yaml:"config"`
			} `yaml:"ipam"`
		} `yaml:"networks"`
	}
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"gjjid-1", "gjjid-2", "redis", "proxy", "demo-ca"} {
		if _, ok := compose.Services[s]; !ok {
			t.Errorf("compose.yaml lacks the service %s", s)
		}
	}
	subnet := compose.Networks["gjjid"].IPAM.Config[0].Subnet
	_, netw, err := net.ParseCIDR(subnet)
	if err != nil {
		t.Fatal(err)
	}
	proxyIP := netw.IP.To4()
	proxyIP = net.IPv4(proxyIP[0], proxyIP[1], 0, 9)
	for name, cidrs := range map[string][]string{
		"listen.trusted_proxies": cfg.Listen.TrustedProxies, "listen.client_cert.trusted_proxies": cfg.Listen.ClientCert.TrustedProxies,
	} {
		trusted := false
		for _, c := range cidrs {
			if _, n, err := net.ParseCIDR(c); err == nil && n.Contains(proxyIP) {
				trusted = true
			}
		}
		if !trusted {
			t.Errorf("%s %v does not cover the compose network %s", name, cidrs, subnet)
		}
	}
	if cfg.Store.Type != "redis" || !strings.Contains(cfg.Store.Redis.URL, "//redis:6379") {
		t.Errorf("store: %+v", cfg.Store)
	}
	redis := strings.Join(compose.Services["redis"].Command, " ")
	for _, want := range []string{"--appendonly yes", "--requirepass " + env["GJJID_REDIS_PASSWORD"]} {
		if !strings.Contains(redis, want) {
			t.Errorf("redis command %q lacks %q", redis, want)
		}
	}
}

// TestDockerfileBuildsLikeMake: the Dockerfile's build command is the one
// `make image-binary` runs (and checks static) here, where no image can be
// built.
func TestDockerfileBuildsLikeMake(t *testing.T) {
	docker, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	dockerBuild := `CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gjjid ./cmd/gjjid`
	makeBuild := `CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/gjjid-static ./cmd/gjjid`
	if !strings.Contains(string(docker), dockerBuild) {
		t.Error("the Dockerfile's build command changed; keep make image-binary in step")
	}
	if !strings.Contains(string(mk), makeBuild) || !strings.Contains(string(mk), "statically linked") {
		t.Error("make image-binary no longer runs the Dockerfile's build command and checks the result static")
	}
	for _, want := range []string{"USER 65532", "ENV TZ=Asia/Shanghai", `"healthcheck"`, "distroless/static"} {
		if !strings.Contains(string(docker), want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
}
