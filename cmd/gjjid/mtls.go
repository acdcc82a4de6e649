package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/gjjid/gjjid/broker"
	"github.com/gjjid/gjjid/config"
)

// startMTLS opens the certificate-login listener and serves the broker on
// it in the background until ctx ends.
func startMTLS(ctx context.Context, b *broker.Broker, m config.MTLS, log *slog.Logger) error {
	cert, err := tls.LoadX509KeyPair(m.TLSCertFile, m.TLSKeyFile)
	if err != nil {
		return fmt.Errorf("listen.mtls.tls_cert_file: %w", err)
	}
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("listen.mtls.addr: %w", err)
	}
	log.Info("gjjid mTLS listener", "addr", ln.Addr().String())
	go func() {
		if err := b.ServeMTLS(ctx, tls.NewListener(ln, broker.MTLSConfig(cert))); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("mTLS listener", "err", err)
		}
	}()
	return nil
}
