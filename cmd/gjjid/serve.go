package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/gjjid/gjjid/broker"
	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/ops"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/alipay"
	"github.com/gjjid/gjjid/connectors/appscan"
	"github.com/gjjid/gjjid/connectors/cas"
	"github.com/gjjid/gjjid/connectors/oauth2"
	"github.com/gjjid/gjjid/connectors/oidc"
	"github.com/gjjid/gjjid/connectors/password"
	"github.com/gjjid/gjjid/connectors/sms"
	"github.com/gjjid/gjjid/connectors/wechat"
	"github.com/gjjid/gjjid/connectors/x509"
)

// The accounts service is the directory the password and sms connectors
// declare, and the store holds what the sms connector keeps.
var (
	_ password.Directory = (*accounts.Directory)(nil)
	_ sms.Directory      = (*accounts.Directory)(nil)
	_ sms.Store          = store.Store(nil)
)

// registry maps connector types to factories. It is built here, in main,
// from what the broker opened: the broker itself knows connectors only by
// interface.
func registry(b *broker.Broker) connectors.Registry {
	return connectorRegistry(b.Accounts.Directory())
}

// notFound tells connectors, which may not import broker/store, which
// store errors mean "no such key".
func notFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// connectorRegistry is the registry over an accounts directory.
func connectorRegistry(dir *accounts.Directory) connectors.Registry {
	return connectors.Registry{
		password.Type: password.Factory(dir),
		// A connector may not import broker/store, so it is told here
		// which store errors mean "no such key".
		sms.Type:    sms.Factory(sms.Options{Directory: dir, IsNotFound: func(err error) bool { return errors.Is(err, store.ErrNotFound) }}),
		alipay.Type: alipay.Factory(alipay.Options{}),
		wechat.Type: wechat.Factory(wechat.Options{}),
		// QR login with the fund's app; the broker's services reach it as
		// connectors.Deps.Broker when Mount opens it.
		appscan.Type: appscan.Factory(appscan.Options{ACRLevels: login.ACRLevels}),
		// Provincial unified identity platforms (统一身份认证平台).
		oidc.Type:   oidc.Factory(oidc.Options{IsNotFound: notFound}),
		cas.Type:    cas.Factory(cas.Options{IsNotFound: notFound}),
		oauth2.Type: oauth2.Factory(oauth2.Options{IsNotFound: notFound}),

		// Unit and counter-bound CA certificates (mTLS, challenge-signature).
		x509.Type: x509.Factory(x509.Options{}),
	}
}

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
	if err := b.Mount(registry(b)); err != nil {
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
	return 0
}

// checkConnectors lets every connector factory validate its own settings,
// against a throw-away memory store so that checking touches nothing.
func checkConnectors(cfg *config.Config) []error {
	st := memory.New()
	defer st.Close()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	acc := accounts.New(st, accounts.Secrets{IDHashKey: key, Pepper: key})
	reg := connectorRegistry(acc.Directory())
	specs := make([]connectors.Spec, len(cfg.Connectors))
	for i, c := range cfg.Connectors {
		specs[i] = connectors.Spec{ID: c.ID, Type: c.Type, Name: c.Name, NameEN: c.NameEN, Config: c.Config, Path: fmt.Sprintf("connectors[%d].config", i)}
	}
	_, errs := reg.Open(specs, connectors.Deps{Store: st, Secrets: connectors.Secrets{Pepper: key, IDHashKey: key},
		Broker: broker.NewConnectorServices(st, acc, nil, nil)})
	return errs
}
