// Package prometheus holds the tests of gjjid's Prometheus alerting rules
// (alerts.yaml): each rule is evaluated against the cases in
// alerts_test.yaml with the Prometheus PromQL engine, and every metric a
// rule or the Grafana dashboard (../grafana/gjjid.json) reads must be one
// the broker exports.
package prometheus
