package pages

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
)

// Registering a person at the counter and making them an agent of a unit.
func (p *Pages) registerConsolePersons(e *echo.Echo) {
	e.POST("/admin/persons", p.consoleAction(staff.AreaAccounts, p.personCreate))
	e.POST("/admin/units/:unit/agents", p.consoleAction(staff.AreaAccounts, p.agentAdd))
}

func (p *Pages) personForm(lang, csrf string) form {
	return form{Action: "/admin/persons", CSRF: csrf, Submit: web.Text(lang, "pg_con_person_create"), Fields: []field{
		{ID: "person-name", Name: "name", Label: web.Text(lang, "pg_f_name"), Type: "text", Required: true, MaxLength: 64, Check: "name"},
		{ID: "person-id-number", Name: "id_number", Label: web.Text(lang, "pg_f_id_number") + "（" + web.Text(lang, "pg_con_resident_id") + "）",
			Type: "text", Required: true, MaxLength: 18, Hint: web.Text(lang, "pg_h_id_number")},
		{ID: "person-mobile", Name: "mobile", Label: web.Text(lang, "pg_f_mobile"), Type: "text", MaxLength: 14, InputMode: "tel"},
		{ID: "person-password", Name: "password", Label: web.Text(lang, "pg_con_f_new_password"), Type: "password", Required: true,
			MaxLength: 6, InputMode: "numeric", Autocomplete: "new-password"},
	}}
}

func (p *Pages) personCreate(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	in, _ := c.FormParams()
	f := p.personForm(lang, p.csrf(s))
	f.fill(in)
	per, err := p.o.Accounts.CreatePerson(c.Request().Context(), accounts.NewPerson{Name: in.Get("name"), IDType: accounts.IDTypeResident,
		IDNumber: in.Get("id_number"), Mobile: in.Get("mobile"), Password: in.Get("password")})
	if err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			f.setError("id_number", web.Text(lang, "pg_con_err_person_exists"))
		case !setFieldError(&f, err, "name"):
			return p.storeFail(c, err)
		}
		return p.renderAccountsWith(c, s, roles, lang, http.StatusBadRequest, f)
	}
	p.staffRecord(c, s, audit.Event{Action: "persons.create", Principal: per.ID, After: map[string]any{"name": per.Name, "id_number": per.IDMasked}})
	return c.Redirect(http.StatusSeeOther, "/admin/persons/"+url.PathEscape(per.ID)+"?done=person_created")
}

// agentAdd makes the person with the posted ID number an agent of the unit.
func (p *Pages) agentAdd(c echo.Context, s *session, roles []string) error {
	lang, ctx, unit := p.lang(c), c.Request().Context(), c.Param("unit")
	u, err := p.o.Accounts.GetUnit(ctx, unit)
	if err != nil {
		return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", nil)
	}
	f := p.unitEditForm(lang, p.csrf(s), u)
	per, err := p.o.Accounts.FindByIDNumber(ctx, accounts.IDTypeResident, strings.TrimSpace(c.FormValue("id_number")))
	if err != nil {
		f.Errors = nil
		return p.renderUnitRecordMsg(c, s, roles, lang, http.StatusBadRequest, u, f, web.Text(lang, "pg_con_err_no_person"))
	}
	role := c.FormValue("role")
	if role != accounts.RoleUnitAdmin {
		role = accounts.RoleOperator
	}
	ag, err := p.o.Accounts.AddAgent(ctx, per.ID, unit, []string{role})
	switch {
	case errors.Is(err, store.ErrConflict):
		return p.renderUnitRecordMsg(c, s, roles, lang, http.StatusConflict, u, f, web.Text(lang, "pg_con_err_agent_exists"))
	case err != nil:
		return p.storeFail(c, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "agents.create", Principal: per.ID, Unit: unit, After: map[string]any{"roles": ag.Roles}})
	return c.Redirect(http.StatusSeeOther, "/admin/units/"+url.PathEscape(unit)+"?done=agent_added")
}
