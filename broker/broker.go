// Package broker assembles gjjid: the store, keys, accounts, connectors,
// login and OpenID Provider behind one echo server.
package broker

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.opentelemetry.io/otel/trace"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/admin"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/bulkimport"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/connhost"
	"github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/logout"
	"github.com/gjjid/gjjid/broker/ops"
	pagesui "github.com/gjjid/gjjid/broker/pages"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/stats"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/combined"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/broker/store/postgres"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/tracing"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/broker/webtx"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/builtin"
	"github.com/gjjid/gjjid/keys"
)

// Broker is one running gjjid instance.
type Broker struct {
	Config   *config.Config
	Store    store.Store
	Keys     *keys.Manager
	Accounts *accounts.Service
	Audit    *audit.Log
	Clients  *clients.Service
	Admin    *admin.API
	Provider *provider.Provider
	// Host is what connectors use of the broker (Mount builds it).
	Host    *connhost.Host
	Login   *login.Login
	Logout  *logout.Service // back- and front-channel logout (logout.go)
	Pages   *pagesui.Pages  // /unit and /account
	Staff   *staff.Service  // the staff's broker roles
	Stats   *stats.Stats    // the console dashboard's counters
	Usage   *clients.Usage  // when each client last received tokens
	Metrics *ops.Metrics
	Echo    *echo.Echo
	// Tracing is the tracer provider (tracing.endpoint); off: no-op, and
	// nothing is instrumented.
	Tracing *tracing.Tracing
	Secrets config.DecodedSecrets
	log     *slog.Logger
	// importer loads CSV files through the admin API (bulkimport.For).
	importer *bulkimport.Importer

	// ClientOverlay is where clients are looked up: the configuration
	// file's, read-only and never stored, over the store's.
	ClientOverlay *clients.Overlay
}

// Open opens the store and keys, seeds accounts and reads the configured
// clients (served from memory, never written to the store). Mount then
// adds connectors and routes: the registry of connectors is built by the
// caller from what Open made (the accounts directory), since the broker
// knows connectors only by interface.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, opts ...Option) (*Broker, error) {
	if log == nil {
		log = slog.Default()
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	sec, err := cfg.Secrets.Decode()
	if err != nil {
		return nil, err
	}
	fillMissingSecrets(&sec)
	b := &Broker{Config: cfg, Secrets: sec, log: log, Metrics: ops.NewMetrics()}
	if b.Tracing, err = tracing.New(ctx, cfg.Tracing); err != nil {
		return nil, err
	}
	if b.Store, err = openStore(ctx, cfg.Store, b.Tracing); err != nil {
		b.stopTracing()
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			b.Close()
		}
	}()
	var kek [32]byte
	copy(kek[:], sec.KeyEncryptionKey)
	b.Keys, err = keys.New(ctx, keyStore{b.Store}, keys.Options{
		Algorithm:      keyAlgorithm(cfg.Keys.Algorithm),
		Also:           provider.IDTokenAlgorithms,
		RotationPeriod: cfg.Keys.RotationPeriod,
		PublishAhead:   cfg.Keys.PublishAhead,
		RetireAfter:    max(cfg.Tokens.AccessTokenLifetime, cfg.Tokens.IDTokenLifetime) + 5*time.Minute,
		CheckInterval:  cfg.Keys.CheckInterval,
		KEK:            kek,
		Logger:         log,
	})
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	b.Metrics.WatchStore(b.Store.Ping)
	b.Metrics.WatchKeys(b.Keys.ActiveSince, b.Keys.RotationPeriod())
	as := accounts.Secrets{IDHashKey: sec.IDHashKey, Pepper: sec.Pepper, HashMemoryKiB: o.hashMemoryKiB}
	b.Accounts = accounts.New(b.Store, as)
	b.importer = bulkimport.For(b.Store, as)
	b.Audit = audit.New(b.Store, log, cfg.Audit.Retention)
	b.Stats = stats.New(b.Store, log)
	b.Usage = clients.NewUsage(b.Store, log)
	b.Audit.Observe(b.Stats.Observe)
	if cfg.Seed != nil {
		if err := seed(ctx, b.Accounts, cfg.Seed); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	b.Staff = staff.NewService(b.Store, b.Accounts)
	if err := seedStaff(ctx, b.Staff, b.Accounts, cfg.Staff.Admins, log); err != nil {
		return nil, err
	}
	static, err := clients.NewStatic(cfg.Clients)
	if err != nil {
		return nil, err
	}
	b.ClientOverlay = clients.NewOverlay(b.Store, static)
	b.ClientOverlay.WarnShadowed(ctx, log)
	ok = true
	return b, nil
}

// Mount opens the connectors from reg and builds the HTTP server.
func (b *Broker) Mount(reg connectors.Registry) error {
	cfg := b.Config
	// The connectors, the login and the provider read clients through one
	// cache; the connectors' host verifies access tokens without the
	// provider. Built in this order, nothing needs a part built later.
	// The pages' built-in first-party client is seen through the cache
	// beside the file's and the store's clients, never stored.
	firstParty, err := pagesui.FirstPartyClient(cfg.Issuer, b.Secrets.CookieKey)
	if err != nil {
		return err
	}
	clientCache := provider.NewClientCache(pagesui.WithClient(b.ClientOverlay, firstParty), 0)
	proofs := b.dpopVerifier()
	b.Host = connhost.New(connhost.Options{
		Store: b.Store, Accounts: b.Accounts, Audit: b.Audit, Metrics: b.Metrics, Clients: clientCache,
		Tokens:    provider.NewTokenVerifier(cfg.Issuer, keySource{b.Keys}, b.Store).WithDPoP(proofs),
		Secrets:   connectors.Secrets{Pepper: b.Secrets.Pepper, IDHashKey: b.Secrets.IDHashKey},
		Logger:    b.log,
		ACRLevels: login.ACRLevels,
		// Upstream calls get client spans; off: nil, the connectors' own.
		HTTPClient: b.Tracing.Client(),
	})
	conns, errs := reg.Open(builtin.Specs(cfg.Connectors), b.Host.Deps)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	b.Metrics.WatchCRLs(crlsOf(conns), time.Now)
	pages, err := web.New()
	if err != nil {
		return err
	}
	https := strings.HasPrefix(cfg.Issuer, "https://")
	secure := https
	if cfg.Sessions.CookieSecure != nil {
		secure = *cfg.Sessions.CookieSecure
	}
	// The provider reaches the login through provider.Login.
	principals := accounts.NewPrincipals(b.Accounts)
	b.Logout = b.newLogout(clientCache)
	b.Login = login.New(login.Options{
		Store: b.Store, Clients: clientCache, Connectors: conns, Resolver: principals, Pages: pages,
		CookieKey: b.Secrets.CookieKey, CookieSecure: secure, SessionCookie: cfg.Sessions.CookieName,
		SessionLifetime: cfg.Sessions.Lifetime, IPRateLimit: cfg.Login.IPRateLimit, DefaultLocale: cfg.Login.DefaultLocale,
		OnLogin: b.Metrics.Login, Audit: b.Audit, Issuer: cfg.Issuer, Logger: b.log,
		CertificateURL: b.certificateURL(), DemoSigner: cfg.Login.DemoSigner, Logout: b.Logout,
		Tracer: b.Tracing.Tracer(),
	})
	var ck [32]byte
	copy(ck[:], b.Secrets.TokenKey)
	var tlsClientCAs *x509.CertPool
	if files := cfg.TLSClientAuth.CAFiles; len(files) > 0 {
		if tlsClientCAs, err = config.LoadCertPool(files); err != nil {
			return fmt.Errorf("tls_client_auth.ca_files: %w", err)
		}
	}
	b.Provider, err = provider.New(b.Store, keySource{b.Keys}, principals, provider.Options{
		Issuer: cfg.Issuer, CryptoKey: ck, AllowInsecure: !https, Login: b.Login, Clients: clientCache,
		ACRValues: login.ACRLevels, LoggedOutURL: strings.TrimSuffix(cfg.Issuer, "/") + "/logged-out",
		AccessTokenLifetime: cfg.Tokens.AccessTokenLifetime, IDTokenLifetime: cfg.Tokens.IDTokenLifetime,
		RefreshTokenLifetime: cfg.Tokens.RefreshTokenLifetime, CodeLifetime: cfg.Tokens.CodeLifetime,
		AuthRequestLifetime: cfg.Tokens.AuthRequestLifetime, RegistrationEndpoint: b.registrationEndpoint(),
		OnRevoke: b.auditRevocation, Logout: b.Logout, GrantScopes: b.Staff.GrantScopes, DPoP: proofs,
		PARLifetime: cfg.PAR.RequestURILifetime, RequirePAR: cfg.PAR.Required,
		TLSClientCAs: tlsClientCAs, MTLSURL: b.certificateURL(),
	}, b.log)
	if err != nil {
		return err
	}
	connectorIDs := make([]string, len(conns))
	for i, cn := range conns {
		connectorIDs[i] = cn.ID()
	}
	b.Clients = clients.New(b.ClientOverlay, clients.Options{
		Connectors:              connectorIDs,
		MaxAccessTokenLifetime:  cfg.Tokens.AccessTokenLifetime,
		MaxIDTokenLifetime:      cfg.Tokens.IDTokenLifetime,
		MaxRefreshTokenLifetime: cfg.Tokens.RefreshTokenLifetime,
		Changed:                 clientCache.Forget,
	})
	b.Admin = admin.New(admin.Options{
		Accounts: b.Accounts, Audit: b.Audit, Tokens: b.Provider, Clients: b.Clients, Keys: b.Keys, Store: b.Store,
		RevokeFor: max(cfg.Tokens.RefreshTokenLifetime, cfg.Sessions.Lifetime, cfg.Tokens.AccessTokenLifetime),
		Logger:    b.log, Logout: b.Logout, Staff: b.Staff, StaffACR: cfg.Staff.ACR, ACRLevels: login.ACRLevels,
		Import: b.importer, Tx: webtx.Of(b.Store),
	})
	if b.Pages, err = b.newPages(pages, conns, secure); err != nil {
		return err
	}
	b.Echo = b.routes(https)
	if err := b.mountCrossDevice(b.Echo, conns); err != nil {
		return err
	}
	b.mountConnectorEndpoints(b.Echo, conns)
	return nil
}

func (b *Broker) routes(https bool) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(b.Config.Listen.TrustedProxies)
	e.HTTPErrorHandler = ops.StoreErrors(e.DefaultHTTPErrorHandler)
	e.Use(middleware.Recover(), ops.SecurityHeaders(https), b.Metrics.Middleware, ops.AccessLog(b.log), ops.StoreWaitBudget, b.Stats.Middleware, b.Usage.Middleware)
	if b.Tracing.Enabled() {
		e.Use(nameSpan)
	}
	e.Use(login.ClientCertificates(cidrs(b.Config.Listen.ClientCert.TrustedProxies), b.Config.Listen.ClientCert.Header))
	b.Login.Register(e)
	b.Admin.Register(e)
	b.Pages.Register(e)
	b.mountRegistration(e)
	e.GET("/static/*", echo.WrapHandler(web.Static()))
	e.GET("/favicon.ico", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", b.ready)
	e.GET("/metrics", echo.WrapHandler(b.Metrics.Handler()))
	if prefix := issuerPath(b.Config.Issuer); prefix != "" {
		e.Any(prefix+"/*", echo.WrapHandler(http.StripPrefix(prefix, b.Provider)))
	} else {
		e.Any("/*", echo.WrapHandler(b.Provider))
	}
	return e
}

// auditRevocation records the provider's revocations: a client's RFC 7009
// request, and the ones the broker makes on a replayed code or a reused
// refresh token (signs of theft).
func (b *Broker) auditRevocation(ctx context.Context, r provider.Revocation) {
	e := audit.Event{Type: audit.TokenRevoke, Reason: r.Reason, Client: r.ClientID, Principal: r.Subject, Actor: "broker"}
	if r.Reason == provider.RevokedByClient {
		e.Actor = "client:" + r.ClientID
	}
	if r.Grant != "" {
		e.After = map[string]any{"grant": r.Grant}
	}
	if err := b.Audit.Record(ctx, e); err != nil {
		b.log.ErrorContext(ctx, "audit write failed", "type", e.Type, "err", err)
	}
}

// ready answers /readyz: 503 while the store is unreachable.
func (b *Broker) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := b.Store.Ping(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "session store unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// Run serves on ln until ctx ends, then shuts down gracefully.
func (b *Broker) Run(ctx context.Context, ln net.Listener) error {
	go b.Keys.Run(ctx)
	logoutDone := make(chan struct{})
	go func() { b.Logout.Run(ctx); close(logoutDone) }()
	defer func() { <-logoutDone }() // its last bookkeeping needs the store
	return b.serve(ctx, ln, func(srv *http.Server) {
		// Event streams of waiting QR pages are hijacked: Shutdown does not see them.
		srv.RegisterOnShutdown(b.Login.CloseStreams)
	})
}

// serve serves the broker on ln until ctx ends, then shuts down within the
// configured timeout; setup may adjust the server first.
func (b *Broker) serve(ctx context.Context, ln net.Listener, setup func(*http.Server)) error {
	srv := &http.Server{Handler: b.Tracing.Handler(b.Echo), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	if setup != nil {
		setup(srv)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), b.Config.Listen.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	return err
}

// Close releases the store, then exports the spans still buffered.
func (b *Broker) Close() error {
	err := b.Store.Close()
	b.stopTracing()
	return err
}

// tracingShutdownTimeout bounds the last export to a slow or unreachable
// collector at shutdown.
const tracingShutdownTimeout = 5 * time.Second

func (b *Broker) stopTracing() {
	ctx, cancel := context.WithTimeout(context.Background(), tracingShutdownTimeout)
	defer cancel()
	if err := b.Tracing.Shutdown(ctx); err != nil {
		b.log.WarnContext(ctx, "spans not exported at shutdown", "err", err)
	}
}

// nameSpan names the request's server span by its route once the router
// has found it (tracing.Handler started the span before routing).
func nameSpan(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tracing.NameRoute(c.Request(), ops.Route(c))
		return next(c)
	}
}

// openStore picks the combination the configuration asks for: memory;
// Redis for everything; or Redis for the hot state and PostgreSQL for the
// durable records (migrated at start unless skip_migrations is set). With
// tracing on, Redis commands and PostgreSQL queries get client spans.
func openStore(ctx context.Context, s config.Store, tr *tracing.Tracing) (store.Store, error) {
	if s.Type != "redis" {
		return memory.New(), nil
	}
	var tp trace.TracerProvider
	if tr.Enabled() {
		tp = tr.TracerProvider()
	}
	r := s.Redis
	st, err := redisstore.Open(ctx, redisstore.Options{URL: r.URL, Addrs: r.Addrs, MasterName: r.MasterName,
		Username: r.Username, Password: r.Password, DB: r.DB, TLS: r.TLS, Timeout: r.Timeout, KeyPrefix: r.KeyPrefix,
		TracerProvider: tp})
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if !s.Database.Configured() {
		return st, nil
	}
	do := DatabaseOptions(s.Database)
	do.TracerProvider = tp
	db, err := postgres.Open(ctx, do)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("store: database: %w", err)
	}
	return combined.New(st, db), nil
}

// fillMissingSecrets generates secrets left empty. Validation allows that
// only for the memory store, where nothing outlives the process.
func fillMissingSecrets(s *config.DecodedSecrets) {
	for _, p := range []*[]byte{&s.KeyEncryptionKey, &s.TokenKey, &s.Pepper, &s.IDHashKey, &s.CookieKey} {
		if len(*p) == 0 {
			*p = make([]byte, 32)
			_, _ = rand.Read(*p)
		}
	}
}

func ipExtractor(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	var opts []echo.TrustOption
	opts = append(opts, echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
	for _, cidr := range trusted {
		if _, n, err := net.ParseCIDR(cidr); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// newPages builds 单位登录权限管理 and 我的账号; they redeem their sign-in
// codes through the broker's own handler, in process.
func (b *Broker) newPages(tpl *web.Pages, conns []connectors.Connector, secure bool) (*pagesui.Pages, error) {
	var pw connectors.PasswordLogin
	var certs []connectors.CertificateLogin
	for _, cn := range conns {
		if p, ok := cn.(connectors.PasswordLogin); ok && cn.Type() == "password" && pw == nil {
			pw = p
		}
		if c, ok := cn.(connectors.CertificateLogin); ok {
			certs = append(certs, c)
		}
	}
	return pagesui.New(pagesui.Options{
		Issuer: b.Config.Issuer, CookieKey: b.Secrets.CookieKey, CookieSecure: secure, DefaultLocale: b.Config.Login.DefaultLocale,
		Config: b.Config.Pages, Templates: tpl, Units: b.Admin.UnitSelfService(), Accounts: b.Accounts, Audit: b.Audit,
		PasswordCheck: pw, Certificates: certs, Values: b.Store, DemoSigner: b.Config.Login.DemoSigner, Logger: b.log,
		Revocations: b.Store, RevokeFor: max(b.Config.Tokens.RefreshTokenLifetime, b.Config.Sessions.Lifetime, b.Config.Tokens.AccessTokenLifetime),
		OP:    http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.Echo.ServeHTTP(w, r) }),
		Staff: b.Staff, StaffConfig: b.Config.Staff, Clients: b.Clients, Counters: b.Store, LockKey: b.Secrets.IDHashKey,
		Stats: b.Stats, Connectors: connectorIDsOf(conns), Keys: b.Keys, Tx: webtx.Of(b.Store),
		Sessions: b.Store, Logout: b.Logout, ConnectorName: connectorNames(conns), Devices: deviceKeysOf(conns), Usage: b.Usage,
	})
}

// Option adjusts Open for tests.
type Option func(*options)

type options struct{ hashMemoryKiB uint32 }

// WithPasswordHashMemory makes new password hashes use kib KiB of argon2id
// memory instead of the production 64 MiB: for tests, whose hundreds of
// logins under the race detector would otherwise spend minutes hashing.
// gjjid serve and dev never set it.
func WithPasswordHashMemory(kib uint32) Option {
	return func(o *options) { o.hashMemoryKiB = kib }
}
