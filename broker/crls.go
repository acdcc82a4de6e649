package broker

import (
	"github.com/gjjid/gjjid/broker/ops"
	"github.com/gjjid/gjjid/connectors"
)

// crlsOf lists, at each scrape, the CRLs the certificate connectors among
// conns keep cached (for the stale-CRL metric).
func crlsOf(conns []connectors.Connector) func() []ops.CRL {
	var reporters []connectors.CRLReporter
	for _, cn := range conns {
		if r, ok := cn.(connectors.CRLReporter); ok {
			reporters = append(reporters, r)
		}
	}
	return func() []ops.CRL {
		var out []ops.CRL
		for _, r := range reporters {
			for _, s := range r.CRLs() {
				out = append(out, ops.CRL{Connector: r.ID(), URL: s.URL, NextUpdate: s.NextUpdate, RefreshFailed: s.RefreshFailed})
			}
		}
		return out
	}
}
