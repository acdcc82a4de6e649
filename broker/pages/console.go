package pages

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/web"
)

// The staff console at /admin: the fund's administrators, counter staff
// and auditors, each signed in as themselves at staff.acr or stronger, in
// a page session bounded by staff.idle_timeout and staff.lifetime. Their
// roles are read at every request (a revoked role takes effect on the
// next page), and every change is audited under their person.

// consoleHandler is a console page or action with the roles that admitted it.
type consoleHandler func(c echo.Context, s *session, roles []string) error

// consoleSection is one part of the console: where it is, its title and
// the area of the role matrix it belongs to.
type consoleSection struct {
	Path, Key string
	Area      staff.Area
}

// consoleSections are the console's parts in the order of the nav.
var consoleSections = []consoleSection{
	{"/admin/clients", "pg_con_clients", staff.AreaClients},
	{"/admin/accounts", "pg_con_accounts", staff.AreaAccounts},
	{"/admin/certs", "pg_con_certs", staff.AreaAccounts},
	{"/admin/audit", "pg_con_audit", staff.AreaAudit},
	{"/admin/dashboard", "pg_con_dashboard", staff.AreaAudit},
	{"/admin/keys", "pg_con_keys", staff.AreaKeys},
	{"/admin/staff", "pg_con_staff", staff.AreaStaff},
}

func (p *Pages) registerConsole(e *echo.Echo) {
	if p.o.Staff == nil {
		return
	}
	e.GET("/admin", p.consoleView("", p.consoleHome))
	p.registerConsoleClients(e)
	p.registerConsoleStaff(e)
	p.registerConsoleAccounts(e)
	p.registerConsoleEdits(e)
	p.registerConsoleCerts(e)
	p.registerConsoleAudit(e)
	p.registerConsoleDashboard(e)
	p.registerConsoleKeys(e)
}

// consoleSession is the page session within the staff's own limits.
func (p *Pages) consoleSession(c echo.Context) *session {
	return p.sessionWithin(c, min(p.o.StaffConfig.IdleTimeout, p.o.Config.IdleTimeout), min(p.o.StaffConfig.Lifetime, p.o.Config.Lifetime))
}

// consoleView wraps a console page: without a session, or with one below
// staff.acr, the browser signs in (again) at that level and comes back;
// then the person's roles must reach area ("" any role).
func (p *Pages) consoleView(area staff.Area, h consoleHandler) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := p.consoleSession(c)
		if s == nil || !acrAtLeast(s.ACR, p.o.StaffConfig.ACR) {
			return p.signin.start(c, c.Request().URL.Path, stepUp{ACR: p.o.StaffConfig.ACR}, nil)
		}
		return p.consoleAdmit(c, s, area, h)
	}
}

// consoleAction wraps a console form post: guard (origin, session, CSRF),
// the staff level, then the roles.
func (p *Pages) consoleAction(area staff.Area, h consoleHandler) echo.HandlerFunc {
	return p.guardWith(p.consoleSession, func(c echo.Context, s *session) error {
		if !acrAtLeast(s.ACR, p.o.StaffConfig.ACR) {
			p.refuse(c, s, "insufficient_user_authentication")
			return p.fail(c, http.StatusForbidden, "pg_err_step_up", nil)
		}
		return p.consoleAdmit(c, s, area, h)
	})
}

func (p *Pages) consoleAdmit(c echo.Context, s *session, area staff.Area, h consoleHandler) error {
	roles, err := p.o.Staff.Roles(c.Request().Context(), s.Subject)
	if err != nil {
		return p.storeFail(c, err)
	}
	switch {
	case len(roles) == 0:
		p.refuse(c, s, "not_staff")
		return p.fail(c, http.StatusForbidden, "pg_err_not_staff", nil)
	case area != "" && !staff.Allows(roles, area):
		p.refuse(c, s, "insufficient_scope")
		return p.fail(c, http.StatusForbidden, "pg_err_role", nil)
	}
	return h(c, s, roles)
}

// consoleFrame is the frame of a console page: the sections the roles
// reach in the nav.
func (p *Pages) consoleFrame(c echo.Context, s *session, roles []string, lang, titleKey string) frame {
	f := p.frame(c, s, lang, web.Text(lang, titleKey))
	f.Nav = nil
	f.Nav = append(f.Nav, navItem{URL: "/admin", Label: web.Text(lang, "pg_con_title"), Current: c.Path() == "/admin"})
	for _, sec := range consoleSections {
		if staff.Allows(roles, sec.Area) {
			f.Nav = append(f.Nav, navItem{URL: sec.Path, Label: web.Text(lang, sec.Key), Current: strings.HasPrefix(c.Path(), sec.Path)})
		}
	}
	if q := c.QueryParam("done"); q != "" {
		f.Notice = web.Text(lang, "pg_con_done_"+q)
	}
	return f
}

func (p *Pages) consoleHome(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	f := p.consoleFrame(c, s, roles, lang, "pg_con_title")
	labels := make([]string, len(roles))
	for i, r := range roles {
		labels[i] = web.Text(lang, "pg_con_role_"+r)
	}
	return p.render(c, http.StatusOK, "pg_console", struct {
		frame
		Roles []string
	}{f, labels})
}

// staffRecord audits a console change under the staff person.
func (p *Pages) staffRecord(c echo.Context, s *session, e audit.Event) {
	e.Type, e.Actor, e.Client = audit.AdminChange, actorOf(s), ClientID
	e.IP, e.UserAgent = c.RealIP(), c.Request().UserAgent()
	p.record(c, e)
}
