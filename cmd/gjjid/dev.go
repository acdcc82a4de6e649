package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/broker"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/config/demo"
)

// The demo setup `gjjid dev` creates (package config/demo, which the
// broker's tests share); the README and tests rely on it.
const (
	DemoClientID       = demo.ClientID
	DemoClientSecret   = demo.ClientSecret
	DemoNativeClientID = demo.NativeClientID
	DemoServiceID      = demo.ServiceID
	DemoServiceSecret  = demo.ServiceSecret
	DemoUnitID         = demo.UnitID
	DemoUnitName       = demo.UnitName
	DemoAgentName      = demo.AgentName
	DemoAgentID        = demo.AgentIDNumber
	DemoAgentMobile    = demo.AgentMobile
	DemoAgentPassword  = demo.AgentPassword
	DemoUnit2ID        = demo.Unit2ID
	DemoUnit2Name      = demo.Unit2Name
	DemoAgent2Name     = demo.Agent2Name
	DemoAgent2ID       = demo.Agent2IDNumber
	DemoAgent2Mobile   = demo.Agent2Mobile
	DemoAgent2Password = demo.Agent2Password
	DemoAdminID        = demo.AdminID
	DemoAdminSecret    = demo.AdminSecret
	DemoAppClientID    = demo.AppClientID
)

func devCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:5556", "listen address; the issuer is http://ADDR")
	storeURL := fs.String("store", "", "redis://… to use Redis instead of the memory store")
	databaseURL := fs.String("database", "", "postgres://… to keep the durable records (accounts, clients, audit trail, signing keys) in PostgreSQL, Redis the hot state; needs --store")
	mtlsAddr := fs.String("mtls-addr", "auto", "the certificate-login mTLS listener (auto: a free loopback port; empty: none)")
	traceURL := fs.String("tracing", "", "an OpenTelemetry collector's OTLP/HTTP URL (tracing.endpoint), e.g. http://127.0.0.1:4318; empty: no tracing")
	tokenLifetime := fs.Duration("token-lifetime", 0, "access and ID token lifetime (tokens.access_token_lifetime and id_token_lifetime; default 15m and 1h); what a revocation keeps lives this plus 5 minutes, so make soak shortens it to reach that steady state within its warm-up")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := devConfig(*addr, *storeURL, *databaseURL)
	if err != nil {
		return err
	}
	if err := devTracing(cfg, *traceURL); err != nil {
		return err
	}
	if err := devTokenLifetime(cfg, *tokenLifetime); err != nil {
		return err
	}
	provincial, err := devProvincial(ctx, cfg)
	if err != nil {
		return err
	}
	stopAW, alipayWeChat, err := devAlipayWeChat(cfg) // fake Alipay and WeChat (dev_alipay_wechat.go)
	if err != nil {
		return err
	}
	defer stopAW()
	certBanner, stopCerts, err := devCertificates(cfg, *mtlsAddr) // demo CA and unit certificate (dev_x509.go)
	if err != nil {
		return err
	}
	defer stopCerts()
	cfg.Login.DemoSigner = true
	return start(ctx, cfg, stderr, func(b *broker.Broker, a net.Addr) {
		if err := devStaff(ctx, b); err != nil {
			fmt.Fprintln(stderr, err)
		}
		fmt.Fprint(stdout, devBanner(cfg.Issuer)+devStaffBanner(cfg.Issuer)+provincial)
		printDevAlipayWeChat(stdout, alipayWeChat)
		fmt.Fprint(stdout, certBanner)
	})
}

// devSecret derives a fixed, public development secret: with --store redis
// a restarted dev broker must still read the key set it stored. Never use
// these outside `gjjid dev`.
func devSecret(name string) string {
	h := sha256.Sum256([]byte("gjjid dev only: " + name))
	return base64.StdEncoding.EncodeToString(h[:])
}

// devConfig is the demo configuration, built through the same parser and
// validation as a real file. With databaseURL it has the production shape
// of `store.database`: PostgreSQL keeps the durable records, Redis
// (storeURL) only the hot state.
func devConfig(addr, storeURL, databaseURL string) (*config.Config, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("--addr %q: %w", addr, err)
	}
	if databaseURL != "" && storeURL == "" {
		return nil, errors.New("--database needs --store redis://…: PostgreSQL keeps the durable records, Redis the hot state every instance shares")
	}
	issuer := "http://" + addr
	cfg := &config.Config{
		Issuer: issuer,
		Listen: config.Listen{Addr: addr},
		Secrets: config.Secrets{KeyEncryptionKey: devSecret("kek"), TokenKey: devSecret("token"), Pepper: devSecret("pepper"),
			IDHashKey: devSecret("idhash"), CookieKey: devSecret("cookie")},
		Log: config.Log{Format: "text"},
		Clients: []config.Client{
			{ID: DemoClientID, Name: "示例业务系统", Secret: DemoClientSecret,
				RedirectURIs:           []string{"http://127.0.0.1:5555/callback", "http://127.0.0.1:5555/callback2"},
				PostLogoutRedirectURIs: []string{"http://127.0.0.1:5555/logged-out"},
				GrantTypes:             []string{"authorization_code", "refresh_token"}},
			{ID: DemoNativeClientID, Name: "网厅PC端", Public: true, ApplicationType: "native",
				RedirectURIs:           []string{"http://127.0.0.1/callback"},
				PostLogoutRedirectURIs: []string{"http://127.0.0.1/logged-out"},
				GrantTypes:             []string{"authorization_code", "refresh_token"}, DPoPBoundAccessTokens: true},
			{ID: DemoServiceID, Name: "示例后台服务", Secret: DemoServiceSecret,
				GrantTypes: []string{"client_credentials"}, Scopes: []string{"gjj:api"}},
			{ID: DemoAdminID, Name: "管理后台", Secret: DemoAdminSecret,
				GrantTypes: []string{"client_credentials"}, Scopes: []string{"gjjid:admin"}},
			{ID: DemoAppClientID, Name: "公积金App", Public: true, ApplicationType: "native",
				RedirectURIs: []string{"http://127.0.0.1/callback"}, GrantTypes: []string{"authorization_code", "refresh_token"},
				DPoPBoundAccessTokens: true},
		},
		Connectors: []config.Connector{
			{ID: "password", Type: "password", Name: "经办人登录", NameEN: "Agent sign-in",
				Config: yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}},
			{ID: "sms", Type: "sms", Name: "短信验证码登录", NameEN: "Text message code", Config: devSMSConfig()},
			{ID: "appscan", Type: "appscan", Name: "公积金App扫码登录", NameEN: "Scan with the fund's app", Config: devAppScanConfig()}},
		Seed: &config.Seed{
			Units: []config.SeedUnit{{ID: DemoUnitID, CustomerNo: "510100000001", Name: DemoUnitName},
				{ID: DemoUnit2ID, CustomerNo: "510100000002", Name: DemoUnit2Name}},
			Persons: []config.SeedPerson{
				{Name: DemoAgentName, IDType: "resident_id", IDNumber: DemoAgentID,
					Mobile: DemoAgentMobile, Password: DemoAgentPassword, Units: []string{DemoUnitID}, Roles: []string{"unit_admin"}},
				{Name: DemoAgent2Name, IDType: "resident_id", IDNumber: DemoAgent2ID,
					Mobile: DemoAgent2Mobile, Password: DemoAgent2Password, Units: []string{DemoUnit2ID}, Roles: []string{"unit_admin"}}},
		},
	}
	if storeURL != "" {
		cfg.Store = config.Store{Type: "redis", Redis: config.Redis{URL: storeURL, KeyPrefix: "gjjid-dev:"},
			Database: config.Database{URL: databaseURL}}
	}
	cfg.ApplyDefaults()
	cfg.Keys.CheckInterval = 30 * time.Second
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("dev configuration:\n%w", err)
	}
	return cfg, nil
}

// devTracing exports the dev broker's traces to endpoint (every trace,
// service name gjjid), checked as tracing.endpoint in a file would be.
func devTracing(cfg *config.Config, endpoint string) error {
	if endpoint == "" {
		return nil
	}
	cfg.Tracing = config.Tracing{Endpoint: endpoint}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("--tracing:\n%w", err)
	}
	return nil
}

// devTokenLifetime sets the access and ID token lifetimes (0: the
// defaults), checked as tokens.* in a file would be.
func devTokenLifetime(cfg *config.Config, d time.Duration) error {
	if d == 0 {
		return nil
	}
	cfg.Tokens.AccessTokenLifetime, cfg.Tokens.IDTokenLifetime = d, d
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("--token-lifetime:\n%w", err)
	}
	return nil
}

// devSMSConfig sends codes with the log sender: they appear in this
// process's log, which is what a newcomer without an SMS account needs.
func devSMSConfig() yaml.Node {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("sender:\n  type: log\n"), &n); err != nil {
		panic(err)
	}
	return *n.Content[0]
}

// devAppScanConfig offers QR login with the simulated app at /dev/app,
// signed in as the demo agent: two browser tabs are all it takes.
func devAppScanConfig() yaml.Node {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("app_clients: ["+DemoAppClientID+"]\ndev_app_page: true\ndev_app_user: \""+DemoAgentMobile+"\"\n"), &n); err != nil {
		panic(err)
	}
	return *n.Content[0]
}

func devBanner(issuer string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `
gjjid dev — demo setup (development only; secrets are public)
  issuer            %[1]s
  discovery         %[1]s/.well-known/openid-configuration
  client            %s / %s  (redirect http://127.0.0.1:5555/callback, /callback2; post-logout /logged-out)
  native client     %s  (public, PKCE, DPoP required, loopback redirect http://127.0.0.1:<any port>/callback)
  service client    %s / %s  (client_credentials, scope gjj:api)
  admin client      %s / %s  (client_credentials, scope gjjid:admin; try: gjjid admin units list)
  connectors        password (经办人登录), sms (短信验证码登录; the code is printed in this log),
                    appscan (扫码登录; scan with the simulated app at %s/dev/app)
  app client        %s  (public, DPoP required, the fund's app: its users' tokens confirm QR logins)
  unit              %s %s
  agent             %s  ID %s  mobile %s  password %s  (unit_admin)
  unit 2            %s %s
  agent 2           %s  ID %s  mobile %s  password %s  (unit_admin)
  单位登录权限管理  %[1]s/unit     (the unit's agents; sign in with the demo unit certificate or as an agent)
  我的账号          %[1]s/account  (an agent's password, sign-in methods and recent sign-ins)

`, issuer, DemoClientID, DemoClientSecret, DemoNativeClientID, DemoServiceID, DemoServiceSecret,
		DemoAdminID, DemoAdminSecret, issuer, DemoAppClientID,
		DemoUnitID, DemoUnitName, DemoAgentName, DemoAgentID, DemoAgentMobile, DemoAgentPassword,
		DemoUnit2ID, DemoUnit2Name, DemoAgent2Name, DemoAgent2ID, DemoAgent2Mobile, DemoAgent2Password)
	return b.String()
}
