// Package login owns the login routes, the connector chooser, the browser
// SSO session and the prompt / max_age / acr_values policy. It is the only
// code that completes authorization requests, and it answers the logins
// that arrive as RFC 8693 subject tokens (exchange.go). To the provider it
// is one provider.Login.
package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
)

// Store is what the login keeps: auth requests it completes, browser
// sessions, the revocation marks that end them, rate-limit counters and
// short-lived values (login states, tickets, challenges).
type Store interface {
	store.AuthRequests
	store.Sessions
	store.Revocations
	store.Counters
	store.Values
}

// Clients looks up registered clients. The broker passes the provider's
// client cache, so the login and the provider see the same records.
type Clients interface {
	// Client returns the client; store.ErrNotFound when there is none.
	Client(ctx context.Context, id string) (*store.Client, error)
}

var _ provider.Login = (*Login)(nil)

// Unit is a unit a principal may act for.
type Unit struct {
	ID   string
	Name string
}

// Principal is who a connector identity turned out to be.
type Principal struct {
	Subject string
	UnitID  string // set when the identity itself names the unit
}

// Resolver maps connector identities to broker principals.
type Resolver interface {
	// Resolve returns the principal, or an error wrapping ErrNeedsBinding,
	// ErrNotBound or ErrNoAccount for identities that cannot log in as
	// they are.
	Resolve(ctx context.Context, id connectors.Identity) (Principal, error)
	UnitsOf(ctx context.Context, subject string) ([]Unit, error)
	// Link stores a self-bind link from the identity to the person;
	// store.ErrConflict when the identity is linked already.
	Link(ctx context.Context, id connectors.Identity, personID string) error
}

// Options configure the login.
type Options struct {
	Store           Store
	Clients         Clients
	Connectors      []connectors.Connector
	Resolver        Resolver
	Pages           *web.Pages
	CookieKey       []byte
	CookieSecure    bool
	SessionCookie   string
	SessionLifetime time.Duration
	IPRateLimit     int // login attempts per IP per minute
	DefaultLocale   string
	// OnLogin is told every login attempt's connector and result (metrics),
	// and every one-time code request's: code_sent, send_<LoginError code>
	// or send_error.
	OnLogin func(connector, result string)
	// Audit receives login successes, failures, lockouts and self-bind
	// links; nil records nothing (tests).
	Audit audit.Recorder
	// Issuer is the broker's public URL, for connector callback URLs.
	Issuer string
	// CertificateURL is the mTLS listener's public URL ("" when there is
	// none); the certificate page links to it.
	CertificateURL string
	// DemoSigner adds the development signer to the certificate page
	// (`gjjid dev` only).
	DemoSigner bool
	// Logout tells relying parties of ended sessions (frontchannel.go);
	// nil: none.
	Logout Logout

	Logger *slog.Logger
	Now    func() time.Time
	// Tracer records a span per login step (trace.go); nil: none.
	Tracer trace.Tracer
}

// Login serves /login….
type Login struct {
	o       Options
	ck      *cookies
	byID    map[string]connectors.Connector
	log     *slog.Logger
	onLogin func(string, string)
	tracer  trace.Tracer

	streams  qrStreams            // hijacked QR event streams (crossdevice_stream.go)
	exchange subjectTokenExchange // logins by subject token (exchange.go)
}

// New builds the login.
func New(o Options) *Login {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.OnLogin == nil {
		o.OnLogin = func(string, string) {}
	}
	if o.Tracer == nil {
		o.Tracer = noop.NewTracerProvider().Tracer("")
	}
	l := &Login{o: o, log: o.Logger, onLogin: o.OnLogin, tracer: o.Tracer, byID: map[string]connectors.Connector{},
		ck: &cookies{key: o.CookieKey, secure: o.CookieSecure, sessionName: o.SessionCookie}}
	for _, c := range o.Connectors {
		l.byID[c.ID()] = c
	}
	l.exchange = newSubjectTokenExchange(o.Connectors)
	return l
}

// URL is the login page for an auth request (the clients' LoginURL).
func URL(authRequestID string) string { return "/login?id=" + url.QueryEscape(authRequestID) }

// URL is the login page for an auth request, where the provider's
// /authorize sends the browser.
func (l *Login) URL(authRequestID string) string { return URL(authRequestID) }

// Register adds the routes.
func (l *Login) Register(e *echo.Echo) {
	e.GET("/login", l.show)
	e.GET("/login/unit", l.showUnits)
	e.GET("/login/bind", l.showBind)
	e.POST("/login/bind", l.bind)
	e.POST("/login/unit", l.chooseUnit)
	e.GET("/login/:connector", l.showConnector)
	e.GET("/login/:connector/callback", l.callback)
	e.GET("/login/:connector/mtls", l.mtlsStart)
	e.GET("/login/:connector/mtls/done", l.mtlsDone)
	e.POST("/login/:connector/callback", l.backChannelLogout) // CAS single logout
	e.GET("/login/:connector/logged-out", l.upstreamLoggedOut)
	e.POST("/login/:connector", l.submit) // a login; with action=send a one-time code request
	e.GET("/logged-out", l.loggedOut)
	l.registerCrossDevice(e) // QR page status, image and completion (crossdevice.go)
}

// Browser identifies the browser for the provider's interceptors.
func (l *Login) Browser(w http.ResponseWriter, r *http.Request) provider.Browser {
	return provider.Browser{ID: l.ck.browserID(w, r), SessionID: l.ck.sessionID(r)}
}

// EndSession expires the SSO session cookie (the provider deletes the
// session itself).
func (l *Login) EndSession(w http.ResponseWriter) {
	l.ck.set(w, l.o.SessionCookie, "", -1)
}

// Silent answers prompt=none: does this browser's session satisfy r?
func (l *Login) Silent(ctx context.Context, r *store.AuthRequest, sessionID, hintSubject string) (provider.SilentAnswer, error) {
	if sessionID == "" {
		return provider.LoginRequired, nil
	}
	s, err := l.liveSession(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return provider.LoginRequired, nil
	}
	if err != nil {
		return provider.LoginRequired, err
	}
	if hintSubject != "" && hintSubject != s.Auth.Subject {
		return provider.LoginRequired, nil
	}
	c, err := l.o.Clients.Client(ctx, r.ClientID)
	if err != nil {
		return provider.LoginRequired, err
	}
	if !sessionSatisfies(s, r, l.allowedFor(c), l.o.Now()) {
		return provider.LoginRequired, nil
	}
	if s.Auth.UnitID == "" {
		units, err := l.o.Resolver.UnitsOf(ctx, s.Auth.Subject)
		if err != nil {
			return provider.LoginRequired, err
		}
		if len(units) > 1 {
			return provider.ChooseAccount, nil
		}
	}
	return provider.Silently, nil
}

// liveSession loads a session; one whose login predates a revocation of its
// subject ("revoke everything of this principal") counts as gone.
func (l *Login) liveSession(ctx context.Context, id string) (*store.Session, error) {
	s, err := l.o.Store.GetSession(ctx, id)
	if err != nil {
		return nil, err
	}
	revoked, err := l.o.Store.AccessTokenRevoked(ctx, "", "", s.Auth.Subject, s.Auth.AuthTime)
	if err != nil {
		return nil, err
	}
	if revoked {
		return nil, fmt.Errorf("session of a revoked subject: %w", store.ErrNotFound)
	}
	return s, nil
}

// ErrorPage renders an error for a human; never a redirect.
func (l *Login) ErrorPage(w http.ResponseWriter, r *http.Request, status int, code string) {
	lang := web.Lang([]string{r.URL.Query().Get("lang")}, r.Header.Get("Accept-Language"), l.o.DefaultLocale)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	_ = l.o.Pages.Render(w, status, "error", map[string]any{"Lang": lang, "Message": web.Text(lang, "err_"+code)})
}

func (l *Login) loggedOut(c echo.Context) error {
	lang := web.Lang(nil, c.Request().Header.Get("Accept-Language"), l.o.DefaultLocale)
	data := map[string]any{"Lang": lang}
	l.frontChannel(c, data)
	return l.o.Pages.Render(c.Response(), http.StatusOK, "loggedout", data)
}

// allowedFor returns a predicate over connector IDs the client may use.
func (l *Login) allowedFor(c *store.Client) func(string) bool {
	return func(id string) bool {
		_, ok := l.byID[id]
		return ok && (len(c.Connectors) == 0 || slices.Contains(c.Connectors, id))
	}
}

// connectorACR is the level a connector's logins reach.
func connectorACR(c connectors.Connector) string {
	if a, ok := c.(connectors.Assurance); ok {
		return a.ACR()
	}
	return ACRLow
}

// usable lists the connectors this request may use, in configured order.
func (l *Login) usable(c *store.Client, r *store.AuthRequest) (usable []connectors.Connector, weak bool) {
	allowed := l.allowedFor(c)
	for _, cn := range l.o.Connectors {
		if !allowed(cn.ID()) {
			continue
		}
		if !acrSatisfies(connectorACR(cn), r.ACRValues) {
			weak = true
			continue
		}
		usable = append(usable, cn)
	}
	return usable, weak
}
