package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"go.opentelemetry.io/otel"

	"github.com/gjjid/gjjid/broker"
	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/connhost"
	"github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/ops"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/broker/tracing"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/builtin"
)

func serveCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return fmt.Errorf("serve: --config FILE is required")
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	return start(ctx, cfg, stderr, nil)
}

// start opens, mounts and runs a broker; ready (if set) is called with the
// broker once it listens.
func start(ctx context.Context, cfg *config.Config, stderr io.Writer, ready func(*broker.Broker, net.Addr)) error {
	log := ops.NewLogger(cfg.Log.Level, cfg.Log.Format, stderr)
	slog.SetDefault(log) // the OP library logs through slog.Default
	b, err := broker.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer b.Close()
	if b.Tracing.Enabled() {
		// The OP library's own spans (Authorize, AuthResponse, …) go
		// through OpenTelemetry's globals; one broker per process here.
		otel.SetTracerProvider(b.Tracing.TracerProvider())
		otel.SetTextMapPropagator(tracing.Propagator())
	}
	if err := b.Mount(builtin.Registry()); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if cfg.Listen.TLSCertFile != "" {
		ln, err = tlsListener(ln, cfg.Listen.TLSCertFile, cfg.Listen.TLSKeyFile)
		if err != nil {
			return err
		}
	}
	if cfg.Listen.MTLS.Addr != "" {
		if err := startMTLS(ctx, b, cfg.Listen.MTLS, log); err != nil {
			return err
		}
	}
	log.Info("gjjid listening", "addr", ln.Addr().String(), "issuer", cfg.Issuer, "store", cfg.Store.Type, "version", version)
	if ready != nil {
		ready(b, ln.Addr())
	}
	return b.Run(ctx, ln)
}

func configCheck(path string, stdout, stderr io.Writer) int {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if errs := checkConnectors(cfg); len(errs) > 0 {
		fmt.Fprintf(stderr, "%s:\n", path)
		for _, e := range errs {
			fmt.Fprintln(stderr, e)
		}
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (%d clients, %d connectors, store %s)\n", path, len(cfg.Clients), len(cfg.Connectors), cfg.Store.Type)
	fmt.Fprintln(stdout, describeStore(cfg.Store))
	fmt.Fprintln(stdout, describeTracing(cfg.Tracing))
	return 0
}

// checkConnectors lets every connector factory validate its own settings,
// through a connector host over a throw-away memory store, so that
// checking touches nothing.
func checkConnectors(cfg *config.Config) []error {
	st := memory.New()
	defer st.Close()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	host := connhost.New(connhost.Options{Store: st, Accounts: accounts.New(st, accounts.Secrets{IDHashKey: key, Pepper: key}),
		Secrets: connectors.Secrets{Pepper: key, IDHashKey: key}, ACRLevels: login.ACRLevels})
	_, errs := builtin.Registry().Open(builtin.Specs(cfg.Connectors), host.Deps)
	return errs
}

// describeTracing says where spans go; header values are never printed
// (they are usually API keys).
func describeTracing(t config.Tracing) string {
	if !t.Enabled() {
		return "tracing: off"
	}
	return fmt.Sprintf("tracing: OTLP/HTTP to %s/v1/traces as %s, sampling %g of new traces (parent-based), %d header(s)",
		strings.TrimSuffix(t.Endpoint, "/"), t.ServiceName, t.Ratio(), len(t.Headers))
}
