package ops

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// storePingTimeout bounds the store ping a scrape makes: a frozen store
// shows as down within it instead of holding the scrape.
const storePingTimeout = time.Second

// WatchStore exports gjjid_store_up: 1 when ping (the store's) answers
// within a second at scrape time, else 0. It is what the store-unreachable
// alert and the dashboard's store panel read.
func (m *Metrics) WatchStore(ping func(context.Context) error) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gjjid_store_up", Help: "1 when the store answered a ping at scrape time, 0 when not.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), storePingTimeout)
		defer cancel()
		if ping(ctx) != nil {
			return 0
		}
		return 1
	}))
}

// WatchKeys exports when the active signing key started signing and the
// configured rotation period, so an alert can tell an overdue rotation:
// time() - active_since > rotation_period.
func (m *Metrics) WatchKeys(activeSince func() time.Time, period time.Duration) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gjjid_signing_key_active_since_timestamp_seconds",
			Help: "Unix time at which the active signing key started signing.",
		}, func() float64 {
			t := activeSince()
			if t.IsZero() {
				return 0
			}
			return float64(t.UnixNano()) / 1e9
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gjjid_signing_key_rotation_period_seconds",
			Help: "How long a signing key signs before its successor takes over (keys.rotation_period).",
		}, func() float64 { return period.Seconds() }),
	)
}

// CRL is one cached certificate revocation list of a connector.
type CRL struct {
	Connector, URL string
	NextUpdate     time.Time
	RefreshFailed  bool // the last fetch past NextUpdate failed
}

// WatchCRLs exports, per connector and CRL URL, the CRL's nextUpdate and
// gjjid_crl_stale: 1 while the CRL is past its nextUpdate and could not be
// fetched again (logins answer from the stale copy within the grace, then
// fail closed), else 0. A CRL past its nextUpdate that nobody needed yet is
// not stale: it is fetched at the next certificate login.
func (m *Metrics) WatchCRLs(list func() []CRL, now func() time.Time) {
	m.reg.MustRegister(crlCollector{list: list, now: now})
}

var (
	crlNextUpdateDesc = prometheus.NewDesc("gjjid_crl_next_update_timestamp_seconds",
		"Unix time of the cached CRL's nextUpdate.", []string{"connector", "url"}, nil)
	crlStaleDesc = prometheus.NewDesc("gjjid_crl_stale",
		"1 while the CRL is past its nextUpdate and the refetch failed.", []string{"connector", "url"}, nil)
)

type crlCollector struct {
	list func() []CRL
	now  func() time.Time
}

func (c crlCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- crlNextUpdateDesc
	ch <- crlStaleDesc
}

func (c crlCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	for _, crl := range c.list() {
		stale := 0.0
		if crl.RefreshFailed && !now.Before(crl.NextUpdate) {
			stale = 1
		}
		ch <- prometheus.MustNewConstMetric(crlNextUpdateDesc, prometheus.GaugeValue,
			float64(crl.NextUpdate.UnixNano())/1e9, crl.Connector, crl.URL)
		ch <- prometheus.MustNewConstMetric(crlStaleDesc, prometheus.GaugeValue, stale, crl.Connector, crl.URL)
	}
}
