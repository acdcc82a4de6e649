// Package helm holds the test of the gjjid Helm chart (./gjjid): it renders
// the chart with helm (run with `go run` at a pinned version) for the
// default, Sentinel and Cluster values, decodes every manifest strictly
// into the Kubernetes API types, checks the security settings, and checks
// the rendered gjjid configuration as `gjjid serve` would load it.
package helm
