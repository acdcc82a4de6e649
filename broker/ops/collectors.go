package ops

import "github.com/prometheus/client_golang/prometheus"

// Register adds collectors of other packages (the back-channel logout
// worker's) to the broker's registry.
func (m *Metrics) Register(cs ...prometheus.Collector) {
	m.reg.MustRegister(cs...)
}
