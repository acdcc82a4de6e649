package pages

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
)

// The console's staff page: who holds which role; an administrator grants
// a role to a person found by ID number (posted, never in a URL) and
// revokes roles.
func (p *Pages) registerConsoleStaff(e *echo.Echo) {
	e.GET("/admin/staff", p.consoleView(staff.AreaStaff, p.staffPage))
	e.POST("/admin/staff/grant", p.consoleAction(staff.AreaStaff, p.staffGrant))
	e.POST("/admin/staff/revoke", p.consoleAction(staff.AreaStaff, p.staffRevoke))
}

type staffRow struct {
	PersonID, Name, IDMasked string
	Roles                    []option
}

func (p *Pages) roleOptions(lang string, sel []string) []option {
	out := make([]option, len(staff.Roles))
	for i, r := range staff.Roles {
		out[i] = option{Value: r, Label: web.Text(lang, "pg_con_role_"+r), Selected: slices.Contains(sel, r)}
	}
	return out
}

func (p *Pages) grantForm(lang, csrf string) form {
	return form{Action: "/admin/staff/grant", CSRF: csrf, Submit: web.Text(lang, "pg_con_grant"), Fields: []field{
		{ID: "staff-id-number", Name: "id_number", Label: web.Text(lang, "pg_f_id_number"), Type: "text", Required: true, MaxLength: 30,
			Autocomplete: "off"},
		{ID: "staff-roles", Name: "roles", Label: web.Text(lang, "pg_con_roles"), Type: "checkbox", Options: p.roleOptions(lang, nil)},
	}}
}

func (p *Pages) staffPage(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	return p.renderStaff(c, s, roles, lang, http.StatusOK, p.grantForm(lang, p.csrf(s)))
}

func (p *Pages) renderStaff(c echo.Context, s *session, roles []string, lang string, status int, grant form) error {
	ctx := c.Request().Context()
	ms, err := p.o.Staff.List(ctx)
	if err != nil {
		return p.storeFail(c, err)
	}
	rows := make([]staffRow, 0, len(ms))
	for _, m := range ms {
		r := staffRow{PersonID: m.PersonID, Roles: p.roleOptions(lang, m.Roles)}
		if per, err := p.o.Accounts.GetPerson(ctx, m.PersonID); err == nil {
			r.Name, r.IDMasked = per.Name, per.IDMasked
		}
		rows = append(rows, r)
	}
	grant.finish()
	return p.render(c, status, "pg_con_staff", struct {
		frame
		Staff []staffRow
		Grant form
	}{p.consoleFrame(c, s, roles, lang, "pg_con_staff"), rows, grant})
}

func (p *Pages) staffGrant(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	in, _ := c.FormParams()
	f := p.grantForm(lang, p.csrf(s))
	f.fill(in)
	ctx := c.Request().Context()
	per, err := p.o.Accounts.FindByIDNumber(ctx, "resident_id", strings.TrimSpace(in.Get("id_number")))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !strings.Contains(err.Error(), "invalid") {
			return p.storeFail(c, err)
		}
		f.setError("id_number", web.Text(lang, "pg_con_err_no_person"))
		return p.renderStaff(c, s, roles, lang, http.StatusBadRequest, f)
	}
	if len(in["roles"]) == 0 {
		f.setError("roles", web.Text(lang, "pg_con_err_no_role"))
		return p.renderStaff(c, s, roles, lang, http.StatusBadRequest, f)
	}
	before, _ := p.o.Staff.Roles(ctx, per.ID)
	after, err := p.o.Staff.Grant(ctx, per.ID, in["roles"])
	if errors.Is(err, staff.ErrUnknownRole) {
		f.setError("roles", web.Text(lang, "pg_con_err_no_role"))
		return p.renderStaff(c, s, roles, lang, http.StatusBadRequest, f)
	}
	if err != nil {
		return p.storeFail(c, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "staff.grant", Principal: per.ID,
		Before: map[string]any{"roles": before}, After: map[string]any{"roles": after}})
	return c.Redirect(http.StatusSeeOther, "/admin/staff?done=granted")
}

func (p *Pages) staffRevoke(c echo.Context, s *session, roles []string) error {
	ctx := c.Request().Context()
	person := c.FormValue("person")
	in, _ := c.FormParams()
	if person == "" || len(in["roles"]) == 0 {
		return p.fail(c, http.StatusBadRequest, "pg_con_err_no_role", nil)
	}
	before, err := p.o.Staff.Roles(ctx, person)
	if err != nil {
		return p.storeFail(c, err)
	}
	after, err := p.o.Staff.Revoke(ctx, person, in["roles"])
	if err != nil {
		return p.fail(c, http.StatusBadRequest, "pg_con_err_no_role", err)
	}
	p.staffRecord(c, s, audit.Event{Action: "staff.revoke", Principal: person,
		Before: map[string]any{"roles": before}, After: map[string]any{"roles": after}})
	return c.Redirect(http.StatusSeeOther, "/admin/staff?done=revoked")
}
