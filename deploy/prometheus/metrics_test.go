package prometheus

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/gjjid/gjjid/broker/ops"
)

// exported is every metric name the broker's /metrics serves, read from a
// scrape of ops.Metrics with each collector touched once.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	m := ops.NewMetrics()
	m.WatchStore(func(context.Context) error { return nil })
	m.WatchKeys(time.Now, time.Hour)
	m.WatchCRLs(func() []ops.CRL { return []ops.CRL{{Connector: "cert", URL: "http://crl.example/a.crl"}} }, time.Now)
	m.Login("password", "success")
	m.SMSSendFailure("sms", "SignatureDoesNotMatch")
	e := echo.New()
	e.Use(m.Middleware)
	e.Any("/*", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	e.ServeHTTP(httptest.NewRecorder(), req)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	names := map[string]bool{}
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 || f[0] != "#" || f[1] != "TYPE" {
			continue
		}
		names[f[2]] = true
		if f[3] == "histogram" || f[3] == "summary" {
			names[f[2]+"_bucket"], names[f[2]+"_sum"], names[f[2]+"_count"] = true, true, true
		}
	}
	for _, want := range []string{"gjjid_logins_total", "gjjid_tokens_total", "gjjid_store_up", "gjjid_crl_stale"} {
		if !names[want] {
			t.Fatalf("scrape lacks %s; names: %v", want, names)
		}
	}
	return names
}

// metricNames are the metric names expr selects.
func metricNames(t *testing.T, where, expr string) []string {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		t.Fatalf("%s: %q: %v", where, expr, err)
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	if len(names) == 0 {
		t.Errorf("%s: %q selects no metric", where, expr)
	}
	return names
}

// TestRulesUseExportedMetrics: an alert on a metric that does not exist
// never fires.
func TestRulesUseExportedMetrics(t *testing.T) {
	have := exported(t)
	for name, r := range loadRules(t) {
		for _, m := range metricNames(t, name, r.Expr) {
			if !have[m] {
				t.Errorf("alert %s reads %s, which gjjid does not export", name, m)
			}
		}
	}
}

// TestDashboardUsesExportedMetrics: every panel query of the Grafana
// dashboard parses (Grafana's variables put in) and reads exported metrics.
func TestDashboardUsesExportedMetrics(t *testing.T) {
	have := exported(t)
	data, err := os.ReadFile("../grafana/gjjid.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	vars := strings.NewReplacer("$__rate_interval", "5m", "$job", ".*", "$instance", ".*", "$qr_connector", "appscan")
	var titles []string
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		titles = append(titles, p.Title)
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, m := range metricNames(t, p.Title, vars.Replace(tg.Expr)) {
				if !have[m] {
					t.Errorf("panel %q reads %s, which gjjid does not export", p.Title, m)
				}
			}
		}
	}
	for _, want := range []string{"Logins per connector and outcome", "Token endpoint answers by grant and result",
		"p99 latency by route", "QR sessions (扫码登录)", "Store reachable (per instance)", "503 answers (store errors)"} {
		if !slices.Contains(titles, want) {
			t.Errorf("dashboard lacks the panel %q", want)
		}
	}
}
