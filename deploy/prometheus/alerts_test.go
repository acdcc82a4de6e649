package prometheus

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
	"go.yaml.in/yaml/v3"
)

// ruleFile is a Prometheus rule file (alerting rules only).
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         model.Duration    `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// testFile is the subset of promtool's rule test format the cases use.
type testFile struct {
	RuleFiles          []string       `yaml:"rule_files"`
	EvaluationInterval model.Duration `yaml:"evaluation_interval"`
	Tests              []struct {
		Interval       model.Duration                    `yaml:"interval"`
		InputSeries    []struct{ Series, Values string } `yaml:"input_series"`
		AlertRuleTests []struct {
			EvalTime  model.Duration `yaml:"eval_time"`
			AlertName string         `yaml:"alertname"`
			ExpAlerts []struct {
				ExpLabels map[string]string `yaml:"exp_labels"`
			} `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadRules(t *testing.T) map[string]rule {
	t.Helper()
	var rf ruleFile
	decodeStrict(t, "alerts.yaml", &rf)
	rules := map[string]rule{}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if _, dup := rules[r.Alert]; dup || r.Alert == "" {
				t.Fatalf("alert %q: empty or defined twice", r.Alert)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" || r.Labels["severity"] == "" {
				t.Errorf("alert %s: needs a severity label and summary and description annotations", r.Alert)
			}
			rules[r.Alert] = r
		}
	}
	return rules
}

// TestAlertRules evaluates every case of alerts_test.yaml: at eval_time an
// alert fires for each label set its expression returned at every
// evaluation over the last `for` (Prometheus's pending → firing), with the
// rule's labels added.
func TestAlertRules(t *testing.T) {
	rules := loadRules(t)
	var tf testFile
	decodeStrict(t, "alerts_test.yaml", &tf)
	if !slices.Equal(tf.RuleFiles, []string{"alerts.yaml"}) {
		t.Fatalf("rule_files = %v", tf.RuleFiles)
	}
	every := time.Duration(tf.EvaluationInterval)
	firing, quiet := map[string]int{}, map[string]int{}
	for i, tc := range tf.Tests {
		var load strings.Builder
		fmt.Fprintf(&load, "load %s\n", tc.Interval)
		for _, s := range tc.InputSeries {
			fmt.Fprintf(&load, "  %s %s\n", s.Series, s.Values)
		}
		ll, err := promqltest.NewLazyLoader(load.String(), promqltest.LazyLoaderOpts{})
		if err != nil {
			t.Fatalf("tests[%d]: %v", i, err)
		}
		defer ll.Close()
		var last time.Duration
		for _, at := range tc.AlertRuleTests {
			last = max(last, time.Duration(at.EvalTime))
		}
		ll.WithSamplesTill(time.Unix(0, 0).Add(last), func(err error) {
			if err != nil {
				t.Fatalf("tests[%d]: loading samples: %v", i, err)
			}
		})
		for _, at := range tc.AlertRuleTests {
			r, ok := rules[at.AlertName]
			if !ok {
				t.Fatalf("tests[%d]: no alert %s in alerts.yaml", i, at.AlertName)
			}
			got := firingAt(t, ll, r, time.Duration(at.EvalTime), every)
			var want []string
			for _, e := range at.ExpAlerts {
				want = append(want, labelString(e.ExpLabels))
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("tests[%d] %s at %s: firing %q, want %q", i, at.AlertName, at.EvalTime, got, want)
			}
			if len(want) > 0 {
				firing[at.AlertName]++
			} else {
				quiet[at.AlertName]++
			}
		}
	}
	for name := range rules {
		if firing[name] == 0 || quiet[name] == 0 {
			t.Errorf("alert %s: %d firing and %d quiet cases; want at least one of each", name, firing[name], quiet[name])
		}
	}
}

// firingAt is the sorted label sets of r's alerts firing at evalTime.
func firingAt(t *testing.T, ll *promqltest.LazyLoader, r rule, evalTime, every time.Duration) []string {
	t.Helper()
	start := evalTime - time.Duration(r.For)
	if start < 0 {
		return nil // not evaluated for long enough
	}
	var active map[string]bool
	for at := start; at <= evalTime; at += every {
		now := map[string]bool{}
		for _, s := range instant(t, ll, r.Expr, at) {
			lbls := map[string]string{}
			s.Metric.Range(func(l labels.Label) {
				if l.Name != "__name__" {
					lbls[l.Name] = l.Value
				}
			})
			maps.Copy(lbls, r.Labels)
			key := labelString(lbls)
			if active == nil || active[key] {
				now[key] = true
			}
		}
		active = now
	}
	return slices.Sorted(maps.Keys(active))
}

func instant(t *testing.T, ll *promqltest.LazyLoader, expr string, at time.Duration) promql.Vector {
	t.Helper()
	q, err := ll.QueryEngine().NewInstantQuery(context.Background(), ll.Queryable(), nil, expr, time.Unix(0, 0).Add(at))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	defer q.Close()
	res := q.Exec(ll.Context())
	if res.Err != nil {
		t.Fatalf("%s at %s: %v", expr, at, res.Err)
	}
	v, err := res.Vector()
	if err != nil {
		t.Fatalf("%s at %s: %v", expr, at, err)
	}
	return v
}

func labelString(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}
