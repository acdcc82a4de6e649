package config

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Tracing configures OpenTelemetry tracing, exported over OTLP/HTTP
// (OTLP specification, "OTLP/HTTP"). An empty Endpoint turns it off; the
// other settings are still checked then, so that an endpoint given later
// through ${ENV} meets a valid rest.
type Tracing struct {
	// Endpoint is the collector's OTLP/HTTP base URL, e.g.
	// http://collector:4318; spans go to Endpoint + "/v1/traces". Empty:
	// tracing is off.
	Endpoint string `yaml:"endpoint"`
	// SamplingRatio is the share of new traces recorded, 0 to 1; default 1
	// when Endpoint is set. Sampling is parent-based: a request that
	// arrives with a W3C traceparent follows its caller's decision.
	SamplingRatio *float64 `yaml:"sampling_ratio"`
	// Headers are sent with every export (a collector's API key, usually
	// ${ENV}).
	Headers map[string]string `yaml:"headers"`
	// ServiceName is the service.name resource attribute; default gjjid.
	ServiceName string `yaml:"service_name"`
}

// Enabled reports whether spans are exported.
func (t Tracing) Enabled() bool { return t.Endpoint != "" }

// Ratio is SamplingRatio, or 1 when unset.
func (t Tracing) Ratio() float64 {
	if t.SamplingRatio == nil {
		return 1
	}
	return *t.SamplingRatio
}

func (t *Tracing) applyDefaults() {
	setDefault(&t.ServiceName, "gjjid")
	if t.Enabled() && t.SamplingRatio == nil {
		one := 1.0
		t.SamplingRatio = &one
	}
}

func (t Tracing) validate(ps *Problems) {
	const path = "tracing"
	if t.Enabled() {
		u, err := url.Parse(t.Endpoint)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			ps.add(key(path, "endpoint"), "must be an http(s) URL of an OTLP/HTTP collector, e.g. http://collector:4318")
		case u.User != nil:
			ps.add(key(path, "endpoint"), "must not contain user info; put credentials in tracing.headers")
		case u.RawQuery != "" || u.Fragment != "":
			ps.add(key(path, "endpoint"), "must not have a query or fragment")
		}
	}
	if r := t.SamplingRatio; r != nil && !(*r >= 0 && *r <= 1) {
		ps.add(key(path, "sampling_ratio"), "must be between 0 and 1, got %v", *r)
	}
	for _, name := range slices.Sorted(maps.Keys(t.Headers)) {
		v, p := t.Headers[name], key(key(path, "headers"), name)
		switch {
		case !isToken(name):
			ps.add(p, "must be an HTTP header name (letters, digits, '-', no spaces)")
		case strings.EqualFold(http.CanonicalHeaderKey(name), "Content-Type"):
			ps.add(p, "is set by the exporter")
		}
		if strings.ContainsAny(v, "\r\n") {
			ps.add(p, "must not contain a line break")
		}
	}
	if strings.TrimSpace(t.ServiceName) == "" {
		ps.add(key(path, "service_name"), "must not be empty")
	}
}
