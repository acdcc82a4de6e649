package logout

import "github.com/prometheus/client_golang/prometheus"

// Delivery results, the label of gjjid_backchannel_logout_total.
const (
	resultSent    = "sent"    // the relying party accepted the token
	resultFailed  = "failed"  // an attempt failed; retried later
	resultDropped = "dropped" // given up: retried for RetryFor, or the client is gone
)

type metrics struct {
	deliveries *prometheus.CounterVec
	pending    prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gjjid_backchannel_logout_total", Help: "Back-channel logout token deliveries by result (sent, failed attempt, dropped).",
		}, []string{"result"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gjjid_backchannel_logout_pending", Help: "Back-channel logout tokens waiting in the queue (all instances).",
		}),
	}
	for _, r := range []string{resultSent, resultFailed, resultDropped} {
		m.deliveries.WithLabelValues(r)
	}
	return m
}

// Collectors are the service's metrics, for the broker's registry.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.metrics.deliveries, s.metrics.pending}
}
