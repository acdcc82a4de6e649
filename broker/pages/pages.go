// Package pages is the framework of the broker's own pages for people —
// 单位登录权限管理 at /unit, 我的账号 at /account, and later the staff
// console — and those pages. Every page is server-rendered with the login
// pages' look (broker/web), under the broker's strict Content Security
// Policy; every form carries a CSRF token bound to the page session and
// every POST passes an origin check. Sign-in is the broker's own
// authorization code flow with PKCE through a built-in first-party client
// (signin.go), so SSO, acr_values, max_age and every login rule apply; the
// pages then keep a short session of their own (session.go).
package pages

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/admin"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/stats"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/broker/webtx"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
)

// Options configure the pages.
type Options struct {
	// Tx makes each form post's change and its audit events one
	// transaction (webtx; PostgreSQL); nil: written one by one.
	Tx webtx.Tx
	// Issuer is the broker's public URL; its origin is the only one whose
	// form posts are accepted, and the sign-in's redirect URI is on it.
	Issuer string
	// CookieKey keys the page session's sealing and the CSRF tokens (the
	// broker's cookie key; labels keep the uses apart).
	CookieKey    []byte
	CookieSecure bool
	// DefaultLocale is the language when the browser asks for neither.
	DefaultLocale string
	Config        config.Pages
	Templates     *web.Pages
	// OP serves the broker's protocol endpoints in process: the sign-in
	// redeems its code and reads the signing keys through it, never
	// through the network (the public issuer URL may not be reachable
	// from the broker itself behind a proxy).
	OP    http.Handler
	Units *admin.UnitSelfService
	// PasswordCheck verifies a person's old password on 我的账号 as a
	// login would (the password connector: its lockouts apply); nil
	// without a password connector.
	PasswordCheck connectors.PasswordLogin
	// Certificates are the certificate connectors whose challenge
	// signature binds a unit's certificate online; Values keeps the
	// binding's one-time challenges; DemoSigner offers the development
	// signer on the binding page, as on the certificate login page.
	Certificates []connectors.CertificateLogin
	Values       Values
	DemoSigner   bool
	// Revocations ends page sessions of revoked subjects and backs "sign
	// out everywhere"; RevokeFor is how long such a mark must live (the
	// longest lifetime of anything issued before it).
	Revocations Revocations
	RevokeFor   time.Duration
	Accounts    *accounts.Service
	Audit       *audit.Log
	// Staff and StaffConfig enable the staff console at /admin (nil
	// Staff: no console); Clients is what its client pages change.
	Staff       *staff.Service
	StaffConfig config.Staff
	Clients     *clients.Service
	// Usage says when each client last received tokens (the list's
	// "last use"); nil: not shown.
	Usage *clients.Usage
	// Counters and LockKey (the ID hash key that names the password
	// lockout counters) let counter staff unlock an account.
	Counters store.Counters
	LockKey  []byte
	// Stats are the dashboard's counters; Connectors the connector IDs
	// it shows logins of.
	Stats      *stats.Stats
	Connectors []string
	// Keys are the signing keys the console shows and rotates.
	Keys KeyRing
	// Sessions are the SSO sessions 我的账号 lists, each with its own
	// sign-out; Logout tells their business systems (back-channel).
	Sessions SSOSessions
	Logout   SessionEnder
	// Devices keeps persons' app device keys (the appscan connector);
	// nil: 我的账号 lists none.
	Devices connectors.DeviceKeys
	// ConnectorName names a connector for people in lang ("" unknown).
	ConnectorName func(id, lang string) string
	Logger        *slog.Logger
	Now           func() time.Time
}

// Pages serves the pages.
type Pages struct {
	o      Options
	log    *slog.Logger
	origin string // scheme://host of the issuer
	seal   *sealer
	signin *signin
}

// New builds the pages.
func New(o Options) (*Pages, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	origin, err := originOf(o.Issuer)
	if err != nil {
		return nil, err
	}
	p := &Pages{o: o, log: o.Logger.With("component", "pages"), origin: origin, seal: newSealer(o.CookieKey)}
	p.signin = newSignin(p)
	return p, nil
}

// originOf is scheme://host of the issuer.
func originOf(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("pages: issuer %q is not an absolute URL", issuer)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Register adds the routes.
func (p *Pages) Register(e *echo.Echo) {
	e.GET("/", p.landing)
	e.GET(CallbackPath, p.callback)
	e.POST("/pages/signout", p.guard(p.signout))
	p.registerUnit(e)
	p.registerAccount(e)
	p.registerCertificates(e)
	p.registerConsole(e)
	p.registerMustChange(e)
}

// lang: ?lang= switch, then the Accept-Language header, then the default.
func (p *Pages) lang(c echo.Context) string {
	if q := c.QueryParam("lang"); q == "en" || q == "zh-CN" {
		return q
	}
	if ck, err := c.Cookie(langCookie); err == nil && (ck.Value == "en" || ck.Value == "zh-CN") {
		return ck.Value
	}
	return web.Lang(nil, c.Request().Header.Get("Accept-Language"), p.o.DefaultLocale)
}

// langCookie remembers a ?lang= choice across the page's form posts.
const langCookie = "gjjid_lang"

// frame is the data every page template gets.
type frame struct {
	Lang      string
	SwitchURL string
	CSRF      string
	Name      string // the signed-in person or unit, for the header
	Title     string
	Nav       []navItem
	Error     string // a message for the whole page
	Notice    string
}

type navItem struct {
	URL, Label string
	Current    bool
}

func (p *Pages) frame(c echo.Context, s *session, lang, title string) frame {
	other := "en"
	if lang == "en" {
		other = "zh-CN"
	}
	if q := c.QueryParam("lang"); q != "" {
		p.setCookie(c, langCookie, q, 365*24*time.Hour)
	}
	f := frame{Lang: lang, SwitchURL: c.Request().URL.Path + "?lang=" + other, Title: title}
	if s != nil {
		f.CSRF = p.csrf(s)
		f.Name = s.Name
		if s.Unit != "" {
			f.Nav = append(f.Nav, navItem{URL: "/unit", Label: web.Text(lang, "pg_unit_title"), Current: strings.HasPrefix(c.Path(), "/unit")})
		}
		if _, isUnit := accounts.UnitOfSubject(s.Subject); !isUnit {
			f.Nav = append(f.Nav, navItem{URL: "/account", Label: web.Text(lang, "pg_account_title"), Current: strings.HasPrefix(c.Path(), "/account")})
		}
	}
	return f
}

// render writes a page; a template error is logged and answered 500.
func (p *Pages) render(c echo.Context, status int, page string, data any) error {
	if err := p.o.Templates.Render(c.Response(), status, page, data); err != nil {
		p.log.ErrorContext(c.Request().Context(), "render", "page", page, "err", err)
	}
	return nil
}

// fail shows an error page for a problem that is not the person's input.
func (p *Pages) fail(c echo.Context, status int, key string, err error) error {
	if err != nil {
		p.log.ErrorContext(c.Request().Context(), "page", "path", c.Path(), "err", err)
	}
	lang := p.lang(c)
	return p.render(c, status, "error", map[string]any{"Lang": lang, "Message": web.Text(lang, key)})
}

// landing is the broker's root: a signed-in unit (or a unit administrator
// acting for one) goes to 单位登录权限管理, a person to 我的账号; anyone
// else signs in first, as a unit certificate login at the broker itself.
func (p *Pages) landing(c echo.Context) error {
	s := p.session(c)
	if s == nil {
		return p.signin.start(c, "", stepUp{}, nil)
	}
	return c.Redirect(http.StatusSeeOther, p.home(c, s))
}

// home is where a session lands without a page asked for.
func (p *Pages) home(c echo.Context, s *session) string {
	if _, isUnit := accounts.UnitOfSubject(s.Subject); isUnit {
		return "/unit"
	}
	if s.Unit != "" {
		ag, err := p.o.Accounts.Agent(c.Request().Context(), s.Subject, s.Unit)
		if err == nil && accounts.HasRole(ag, accounts.RoleUnitAdmin) {
			return "/unit"
		}
	}
	return "/account"
}
