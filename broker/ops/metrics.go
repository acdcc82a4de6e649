// Package ops holds what operators see: Prometheus metrics, request logs,
// security headers and the health probes.
package ops

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the broker's Prometheus collectors, on a registry of their own
// (no global state, so tests can build many brokers in one process).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	tokens   *prometheus.CounterVec
	logins   *prometheus.CounterVec
	smsFails *prometheus.CounterVec
}

// NewMetrics registers the collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gjjid_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gjjid_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gjjid_tokens_total", Help: "Token endpoint responses by grant type and result.",
		}, []string{"grant_type", "result"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gjjid_logins_total", Help: "Login attempts by connector and result.",
		}, []string{"connector", "result"}),
		smsFails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gjjid_sms_send_failures_total", Help: "Texts the SMS provider failed to send (after one retry), by connector and provider error code.",
		}, []string{"connector", "code"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.tokens, m.logins, m.smsFails,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Login counts one login attempt.
func (m *Metrics) Login(connector, result string) { m.logins.WithLabelValues(connector, result).Inc() }

// SMSSendFailure counts a text the provider failed to send; code is the
// provider's error code (a small set), "timeout" or "transport".
func (m *Metrics) SMSSendFailure(connector, code string) {
	m.smsFails.WithLabelValues(connector, code).Inc()
}

// Middleware records every request. The route label is echo's route
// pattern (or the fixed OP path), never the raw URL, to keep cardinality low.
func (m *Metrics) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if c.Request().URL.Path == "/oauth/token" {
			// Parsed here, on the request the provider will see: its
			// interceptors work on shallow copies, whose parsed form would
			// not reach this middleware afterwards.
			_ = c.Request().ParseForm()
		}
		err := next(c)
		route := Route(c)
		status := c.Response().Status
		if he, ok := err.(*echo.HTTPError); ok && !c.Response().Committed {
			status = he.Code
		}
		m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		if route == "/oauth/token" {
			result := "success"
			if status >= 400 {
				result = "error"
			}
			m.tokens.WithLabelValues(grantLabel(c.Request().PostForm.Get("grant_type")), result).Inc()
		}
		return err
	}
}

var knownOPRoutes = map[string]bool{
	"/authorize": true, "/authorize/callback": true, "/oauth/token": true, "/oauth/introspect": true,
	"/userinfo": true, "/revoke": true, "/end_session": true, "/keys": true, "/.well-known/openid-configuration": true,
}

// Route is the request's route for metrics and span names: echo's route
// pattern, or for the provider's catch-all its known endpoint path, else
// "other"; never a raw path, which may hold IDs.
func Route(c echo.Context) string {
	p := c.Path()
	if p == "/*" || p == "" {
		if knownOPRoutes[c.Request().URL.Path] {
			return c.Request().URL.Path
		}
		return "other"
	}
	return p
}

func grantLabel(g string) string {
	switch g {
	case "authorization_code", "refresh_token", "client_credentials":
		return g
	}
	return "other"
}
