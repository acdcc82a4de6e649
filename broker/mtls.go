package broker

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
)

// MTLSConfig is the TLS configuration of the mTLS listener: it asks every
// browser for a client certificate but verifies none itself — the x509
// connector does, against each CA's roots and revocation, and crypto/tls
// could not read SM2 certificates anyway (they need a TLCP gateway that
// forwards the certificate in a header).
func MTLSConfig(server tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{server}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
}

// ServeMTLS serves the broker on ln, the mTLS listener (already wrapped
// in TLS with MTLSConfig), until ctx ends.
func (b *Broker) ServeMTLS(ctx context.Context, ln net.Listener) error {
	return b.serve(ctx, ln, nil)
}

// certificateURL is the mTLS listener's public URL, "" without one.
func (b *Broker) certificateURL() string {
	m := b.Config.Listen.MTLS
	switch {
	case m.URL != "":
		return strings.TrimSuffix(m.URL, "/")
	case m.Addr != "":
		host, port, _ := net.SplitHostPort(m.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		return "https://" + net.JoinHostPort(host, port)
	}
	return ""
}

// cidrs parses validated CIDRs.
func cidrs(ss []string) []*net.IPNet {
	var out []*net.IPNet
	for _, s := range ss {
		if _, n, err := net.ParseCIDR(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}
