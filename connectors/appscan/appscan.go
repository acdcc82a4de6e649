// Package appscan is the login with the fund's mobile app (扫码登录): the
// login page shows a QR code, the app user scans it, sees who asks (the
// relying party, the browser's IP address and user agent, the time) and
// confirms or cancels; the browser, watching live, then completes the
// login as the app user.
//
// The QR code holds only a deep-link prefix and an opaque 130-bit session
// ID. The browser alone holds a separate poll secret (an HttpOnly cookie),
// without which the ID reveals nothing, and on confirmation it receives a
// one-time login ticket that only it can redeem, never tokens. The session
// lives in the broker's store as a small state machine (waiting → scanned →
// confirmed | cancelled, any of the first two → expired; confirmed →
// consumed once) moved only by compare-and-set steps, so any broker
// instance serves any step and the browser may wait on another instance
// than the one the app talks to. Only the app session that scanned may
// confirm or cancel, with its own access token, optionally signed with a
// registered device key. The login's amr is the app session's plus "qr",
// its acr never above the app session's (RFC 10027 and docs/appscan.md#security on
// cross-device flows and QR phishing).
package appscan

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Type is the registry type of this connector.
const Type = "appscan"

// AMR is the method this connector adds to the app session's: the login was
// confirmed by scanning a QR code.
const AMR = "qr"

// keep is how long a session outlives its expiry: late polls and app calls
// learn that it expired (410) rather than that it never existed (404).
const keep = time.Minute

var (
	_ connectors.CrossDevice = (*Connector)(nil)
	_ connectors.Assurance   = (*Connector)(nil)
)

// Connector is an opened appscan connector.
type Connector struct {
	connectors.Base // ID, Type, DisplayName
	cfg             Config
	levels          []string
	svc             host
	key             []byte // HMAC key naming counters
	log             connectors.Logger
	now             func() time.Time
	handler         http.Handler

	devMu     sync.Mutex
	devRecent []string // sessions started lately, for the dev page (dev_app_page only)
}

var (
	// Open validates spec.Config and opens the connector. It uses the
	// host's QR sessions, counters, values, token verification, client
	// names, accounts, audit trail, Secrets.IDHashKey and ACRLevels.
	Open = connectors.Configured(parseConfig, open)
	// Factory opens appscan connectors for the registry.
	Factory = connectors.FactoryOf(Open)
)

func open(spec connectors.Spec, deps connectors.Deps, cfg Config) (*Connector, error) {
	path := spec.ConfigPath()
	if len(deps.ACRLevels) == 0 {
		return nil, fmt.Errorf("appscan connector %q: no assurance levels (the host gives them in connectors.Deps.ACRLevels)", spec.ID)
	}
	if !slices.Contains(deps.ACRLevels, cfg.ACR) {
		return nil, fmt.Errorf("%s.acr: must be one of %s, got %q", path, strings.Join(deps.ACRLevels, ", "), cfg.ACR)
	}
	svc, err := hostOf(deps, spec.ID)
	if err != nil {
		return nil, err
	}
	log := deps.Log()
	c := &Connector{Base: connectors.NewBase(Type, spec, "公积金App扫码登录", "Scan with the fund's app"), cfg: cfg, levels: slices.Clone(deps.ACRLevels),
		svc: svc, key: deps.Secrets.IDHashKey, log: log, now: deps.Clock()}
	c.handler = c.routes()
	// The prefix decides how big every QR code is (see
	// DefaultDeepLinkPrefix); say it once, so that whoever configured a
	// lower-case prefix can see why the code grew.
	switch v, exact, err := qrVersion(cfg.DeepLinkPrefix); {
	case err != nil:
		return nil, fmt.Errorf("%s.deep_link_prefix: %w", path, err)
	case exact:
		log.Info("appscan QR code size", "connector", spec.ID, "version", v, "modules", 17+4*v)
	default:
		log.Info("appscan QR code size: deep_link_prefix has characters outside QR alphanumeric mode (0-9 A-Z $%*+-./: and space), "+
			"so codes are larger and slower to draw than they need be", "connector", spec.ID, "version_at_least", v, "modules_at_least", 17+4*v)
	}
	if cfg.DevAppPage {
		log.Warn("appscan connector serves the simulated app at /dev/app (dev_app_page): for development only, never in production",
			"connector", spec.ID)
	}
	return c, nil
}

// ACR is the most a QR login reaches; each login gets at most the acr of
// the app session that confirmed it.
func (c *Connector) ACR() string { return c.cfg.ACR }

// Paths are the prefixes Handler serves: the app API, and the simulated
// app with dev_app_page.
func (c *Connector) Paths() []string {
	p := []string{apiPrefix}
	if c.cfg.DevAppPage {
		p = append(p, devPath)
	}
	return p
}

// Handler serves the app API (and the dev page).
func (c *Connector) Handler() http.Handler { return c.handler }

// rank is the position of acr in the broker's levels; -1 when unknown.
func (c *Connector) rank(acr string) int { return slices.Index(c.levels, acr) }

// capACR is the acr of a login confirmed by an app session with appACR:
// the configured level, or the app session's when that is lower (or
// unknown, which no acr_values accept).
func (c *Connector) capACR(appACR string) string {
	if r := c.rank(appACR); r >= 0 && r >= c.rank(c.cfg.ACR) {
		return c.cfg.ACR
	}
	return appACR
}

// minACR is the weakest known level among a request's acr_values, "" when
// it names none (OIDC Core §3.1.2.1: unknown values are ignored).
func (c *Connector) minACR(values []string) string {
	best := -1
	for _, v := range values {
		if r := c.rank(v); r >= 0 && (best < 0 || r < best) {
			best = r
		}
	}
	if best < 0 {
		return ""
	}
	return c.levels[best]
}
