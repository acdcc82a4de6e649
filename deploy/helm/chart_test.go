package helm

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"

	"github.com/gjjid/gjjid/config"
)

// TestChart renders the chart for each values file and checks what a
// production deployment relies on.
func TestChart(t *testing.T) {
	for _, tc := range []struct {
		name       string
		values     []string
		redis      func(t *testing.T, r config.Redis)
		hpa        bool
		monitoring bool // ServiceMonitor, PrometheusRule and NetworkPolicy
	}{
		{name: "default", hpa: true, redis: func(t *testing.T, r config.Redis) {
			if r.URL != "redis://redis-master.redis.svc:6379/0" || len(r.Addrs) != 0 || r.MasterName != "" {
				t.Errorf("standalone store.redis = %+v", r)
			}
		}},
		{name: "sentinel", values: []string{"gjjid/ci/sentinel-values.yaml"}, redis: func(t *testing.T, r config.Redis) {
			if r.URL != "" || len(r.Addrs) != 3 || r.MasterName != "gjjid" || !r.TLS {
				t.Errorf("Sentinel store.redis = %+v", r)
			}
		}},
		{name: "cluster", values: []string{"gjjid/ci/cluster-values.yaml"}, hpa: true, monitoring: true, redis: func(t *testing.T, r config.Redis) {
			if r.URL != "" || len(r.Addrs) != 3 || r.MasterName != "" || r.Username != "gjjid" {
				t.Errorf("Cluster store.redis = %+v", r)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := render(t, tc.values...)
			if len(m.deployments) != 1 || len(m.configMaps) != 1 || len(m.services) != 1 || len(m.ingresses) != 1 {
				t.Fatalf("want one Deployment, ConfigMap, Service and Ingress: %d %d %d %d",
					len(m.deployments), len(m.configMaps), len(m.services), len(m.ingresses))
			}
			d := m.deployments[0]
			checkReplicas(t, m, tc.hpa)
			checkPodSecurity(t, d.Spec.Template.Spec)
			checkPDB(t, m)
			cfg := checkConfig(t, m)
			tc.redis(t, cfg.Store.Redis)
			checkIngress(t, m, cfg)
			checkMonitoring(t, m, tc.monitoring)
		})
	}
}

func checkReplicas(t *testing.T, m manifests, hpa bool) {
	t.Helper()
	d := m.deployments[0]
	switch {
	case hpa:
		if d.Spec.Replicas != nil {
			t.Errorf("with the HPA the Deployment must leave replicas to it, has %d", *d.Spec.Replicas)
		}
		if len(m.hpas) != 1 || m.hpas[0].Spec.MinReplicas == nil || *m.hpas[0].Spec.MinReplicas != 3 ||
			m.hpas[0].Spec.ScaleTargetRef.Name != d.Name || m.hpas[0].Spec.ScaleTargetRef.Kind != "Deployment" {
			t.Errorf("want one HPA on %s with minReplicas 3: %+v", d.Name, m.hpas)
		}
	default:
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 || len(m.hpas) != 0 {
			t.Errorf("without the HPA want 3 replicas: %v, %d HPAs", d.Spec.Replicas, len(m.hpas))
		}
	}
	if d.Spec.Strategy.RollingUpdate == nil || d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() != 0 {
		t.Errorf("rolling update must keep every pod until its successor is ready: %+v", d.Spec.Strategy)
	}
	keys := map[string]bool{}
	for _, c := range d.Spec.Template.Spec.TopologySpreadConstraints {
		keys[c.TopologyKey] = true
	}
	if !keys["kubernetes.io/hostname"] || !keys["topology.kubernetes.io/zone"] {
		t.Errorf("topology spread over nodes and zones: %v", keys)
	}
}

func checkPodSecurity(t *testing.T, pod corev1.PodSpec) {
	t.Helper()
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Error("pod: runAsNonRoot must be true")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("pod: the broker needs no Kubernetes API token")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	switch {
	case sc == nil:
		t.Fatal("container: no securityContext")
	case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Error("container: readOnlyRootFilesystem must be true")
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Error("container: allowPrivilegeEscalation must be false")
	case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
		t.Errorf("container: capabilities must drop ALL and add none: %+v", sc.Capabilities)
	}
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe: want GET %s on port http, got %+v", name, path, p)
		}
	}
	probe("liveness", c.LivenessProbe, "/healthz")
	probe("readiness", c.ReadinessProbe, "/readyz")
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
		t.Errorf("resource requests: %v", c.Resources.Requests)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 5556 {
		t.Errorf("ports: %+v", c.Ports)
	}
}

func checkPDB(t *testing.T, m manifests) {
	t.Helper()
	if len(m.pdbs) != 1 {
		t.Fatalf("%d PodDisruptionBudgets, want 1", len(m.pdbs))
	}
	p := m.pdbs[0]
	if p.Spec.MinAvailable == nil || p.Spec.MinAvailable.IntValue() < 1 {
		t.Errorf("PDB minAvailable: %v", p.Spec.MinAvailable)
	}
	pod := m.deployments[0].Spec.Template.Labels
	for k, v := range p.Spec.Selector.MatchLabels {
		if pod[k] != v {
			t.Errorf("PDB selector %s=%s does not match the pods %v", k, v, pod)
		}
	}
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// checkConfig loads the rendered config.yaml the way `gjjid serve` (and
// `gjjid config check`) does, with the environment the Deployment gives
// it: every ${VAR} must come from the Secret.
func checkConfig(t *testing.T, m manifests) *config.Config {
	t.Helper()
	d := m.deployments[0]
	cm := m.configMaps[0]
	mounted := false
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == cm.Name {
			mounted = true
		}
	}
	c := d.Spec.Template.Spec.Containers[0]
	if !mounted || !slices.Equal(c.Args, []string{"serve", "--config", "/etc/gjjid/config.yaml"}) {
		t.Errorf("the ConfigMap %s must be mounted and served: args %v", cm.Name, c.Args)
	}
	data := cm.Data["config.yaml"]
	env := map[string]bool{}
	for _, e := range c.Env {
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != "gjjid-secrets" {
			t.Errorf("env %s does not come from the Secret gjjid-secrets", e.Name)
		}
		env[e.Name] = true
	}
	for _, ref := range envRef.FindAllStringSubmatch(data, -1) {
		if !env[ref[1]] {
			t.Errorf("config.yaml references ${%s}, which the Deployment does not set", ref[1])
		}
	}
	for name := range env {
		k := make([]byte, 32)
		_, _ = rand.Read(k)
		t.Setenv(name, base64.StdEncoding.EncodeToString(k))
	}
	cfg, err := config.Parse([]byte(data))
	if err != nil {
		t.Fatalf("rendered config.yaml fails `gjjid config check`:\n%v\n%s", err, data)
	}
	if cfg.Store.Type != "redis" || cfg.Listen.Addr != "0.0.0.0:5556" {
		t.Errorf("store %q, listen %q", cfg.Store.Type, cfg.Listen.Addr)
	}
	return cfg
}

// checkIngress: with client-certificate forwarding on, ingress-nginx asks
// for a certificate and forwards it in ssl-client-cert, the header the
// config believes from the controller's pods.
func checkIngress(t *testing.T, m manifests, cfg *config.Config) {
	t.Helper()
	ing := m.ingresses[0]
	a := ing.Annotations
	if a["nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream"] == "true" {
		if a["nginx.ingress.kubernetes.io/auth-tls-verify-client"] != "optional_no_ca" || a["nginx.ingress.kubernetes.io/auth-tls-secret"] == "" {
			t.Errorf("client certificate annotations: %v", a)
		}
		if !strings.EqualFold(cfg.Listen.ClientCert.Header, "ssl-client-cert") || len(cfg.Listen.ClientCert.TrustedProxies) == 0 {
			t.Errorf("listen.client_cert = %+v: ingress-nginx forwards ssl-client-cert", cfg.Listen.ClientCert)
		}
	}
	if len(ing.Spec.TLS) != 1 || len(ing.Spec.Rules) != 1 || ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name != m.services[0].Name {
		t.Errorf("ingress: %+v", ing.Spec)
	}
}

// checkMonitoring: off by default; on, the PrometheusRule is alerts.yaml.
func checkMonitoring(t *testing.T, m manifests, on bool) {
	t.Helper()
	n := 0
	if on {
		n = 1
	}
	if len(m.serviceMonitors) != n || len(m.prometheusRules) != n || len(m.networkPolicies) != n {
		t.Fatalf("want %d ServiceMonitor, PrometheusRule and NetworkPolicy: %d %d %d",
			n, len(m.serviceMonitors), len(m.prometheusRules), len(m.networkPolicies))
	}
	if !on {
		return
	}
	if ep := m.serviceMonitors[0].Spec.Endpoints; len(ep) != 1 || ep[0].Path != "/metrics" || ep[0].Port != "http" {
		t.Errorf("ServiceMonitor endpoints: %+v", ep)
	}
	raw, err := os.ReadFile("../prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var want monitoringv1.PrometheusRuleSpec
	if err := yaml.UnmarshalStrict(raw, &want); err != nil {
		t.Fatalf("alerts.yaml as a PrometheusRule spec: %v", err)
	}
	if len(want.Groups) == 0 || !reflect.DeepEqual(m.prometheusRules[0].Spec, want) {
		t.Errorf("the PrometheusRule differs from deploy/prometheus/alerts.yaml")
	}
	np := m.networkPolicies[0]
	if len(np.Spec.Ingress) == 0 || len(np.Spec.Egress) == 0 || len(np.Spec.PolicyTypes) != 2 {
		t.Errorf("NetworkPolicy must restrict ingress and egress: %+v", np.Spec)
	}
}

// TestChartAlertsCopy: the chart cannot read files outside itself, so it
// keeps a copy of deploy/prometheus/alerts.yaml; the two must not drift.
func TestChartAlertsCopy(t *testing.T) {
	a, err := os.ReadFile("../prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("gjjid/files/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("deploy/helm/gjjid/files/alerts.yaml differs from deploy/prometheus/alerts.yaml: cp deploy/prometheus/alerts.yaml deploy/helm/gjjid/files/")
	}
}

// TestChartRefusesBadRedis: a Redis mode the config cannot express fails
// the rendering with a message naming the value.
func TestChartRefusesBadRedis(t *testing.T) {
	for set, want := range map[string]string{
		"redis.mode=replica":               `redis.mode "replica": use standalone, sentinel or cluster`,
		"redis.mode=sentinel":              "redis.addrs (the Sentinels) is required",
		"redis.mode=standalone,redis.url=": "redis.url is required",
	} {
		_, err := helm(t, "template", "gjjid", "gjjid", "--set", set)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--set %s: %v, want an error with %q", set, err, want)
		}
	}
}
