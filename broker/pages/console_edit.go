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

// The console's edits of persons (name, mobile) and agents (roles,
// removal), the admin API's PATCH and DELETE in forms.

func (p *Pages) registerConsoleEdits(e *echo.Echo) {
	e.POST("/admin/persons/:person", p.consoleAction(staff.AreaAccounts, p.personEdit))
	e.POST("/admin/units/:unit/agents/:person/roles", p.consoleAction(staff.AreaAccounts, p.agentRolesEdit))
	e.POST("/admin/units/:unit/agents/:person/remove", p.consoleAction(staff.AreaAccounts, p.agentRemoveEdit))
}

// personEditForm edits a person's name and mobile; an empty mobile field
// keeps the mobile (which the page shows masked only).
func (p *Pages) personEditForm(lang, csrf string, per *store.Person) form {
	return form{Action: "/admin/persons/" + url.PathEscape(per.ID), CSRF: csrf, Submit: web.Text(lang, "pg_con_save"), Fields: []field{
		{ID: "person-name", Name: "name", Label: web.Text(lang, "pg_f_name"), Type: "text", Value: per.Name, Required: true, MaxLength: 64},
		{ID: "person-mobile", Name: "mobile", Label: web.Text(lang, "pg_f_mobile"), Type: "tel", MaxLength: 11, InputMode: "numeric",
			Autocomplete: "off", Hint: web.Text(lang, "pg_con_h_mobile_keep")},
	}}
}

func (p *Pages) personEdit(c echo.Context, s *session, roles []string) error {
	lang, ctx, id := p.lang(c), c.Request().Context(), c.Param("person")
	name, mobile := strings.TrimSpace(c.FormValue("name")), strings.TrimSpace(c.FormValue("mobile"))
	ch := accounts.PersonChange{Name: &name}
	if mobile != "" {
		ch.Mobile = &mobile
	}
	before, after, err := p.o.Accounts.UpdatePerson(ctx, id, ch)
	if errors.Is(err, store.ErrNotFound) {
		return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", nil)
	}
	if err != nil {
		per, gerr := p.o.Accounts.GetPerson(ctx, id)
		if gerr != nil {
			return p.storeFail(c, gerr)
		}
		f := p.personEditForm(lang, p.csrf(s), per)
		f.fill(url.Values{"name": {name}, "mobile": {mobile}})
		if !setFieldError(&f, err, "name") {
			return p.storeFail(c, err)
		}
		return p.renderPersonRecord(c, s, roles, lang, http.StatusBadRequest, per, p.resetForm(lang, p.csrf(s), id), &f)
	}
	p.staffRecord(c, s, audit.Event{Action: "persons.update", Principal: id,
		Before: map[string]any{"name": before.Name, "mobile": before.MobileMasked},
		After:  map[string]any{"name": after.Name, "mobile": after.MobileMasked}})
	return c.Redirect(http.StatusSeeOther, "/admin/persons/"+url.PathEscape(id)+"?done=updated")
}

// agentRolesEdit sets an agent's roles in one unit (one role per select).
func (p *Pages) agentRolesEdit(c echo.Context, s *session, roles []string) error {
	ctx, unit, person := c.Request().Context(), c.Param("unit"), c.Param("person")
	in, _ := c.FormParams()
	before, after, err := p.o.Accounts.UpdateAgent(ctx, person, unit, accounts.AgentChange{Roles: in["role"]})
	if err != nil {
		return p.agentEditFailed(c, s, roles, unit, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "agents.update", Principal: person, Unit: unit,
		Before: map[string]any{"roles": before.Roles}, After: map[string]any{"roles": after.Roles}})
	return c.Redirect(http.StatusSeeOther, "/admin/units/"+url.PathEscape(unit)+"?done=roles")
}

// agentRemoveEdit ends a person's agency for the unit (the person stays).
func (p *Pages) agentRemoveEdit(c echo.Context, s *session, roles []string) error {
	ctx, unit, person := c.Request().Context(), c.Param("unit"), c.Param("person")
	before, err := p.o.Accounts.Agent(ctx, person, unit)
	if err == nil {
		err = p.o.Accounts.RemoveAgent(ctx, person, unit)
	}
	if err != nil {
		return p.agentEditFailed(c, s, roles, unit, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "agents.delete", Principal: person, Unit: unit, Before: map[string]any{"roles": before.Roles}})
	return c.Redirect(http.StatusSeeOther, "/admin/units/"+url.PathEscape(unit)+"?done=removed")
}

// agentEditFailed shows the unit's page again with what went wrong; a
// store outage is the outage page.
func (p *Pages) agentEditFailed(c echo.Context, s *session, roles []string, unit string, err error) error {
	lang := p.lang(c)
	u, gerr := p.o.Accounts.GetUnit(c.Request().Context(), unit)
	if gerr != nil {
		if errors.Is(gerr, store.ErrNotFound) {
			return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", nil)
		}
		return p.storeFail(c, gerr)
	}
	var msg string
	switch {
	case errors.Is(err, store.ErrNotFound):
		msg = web.Text(lang, "pg_con_err_no_agent")
	case errors.Is(err, accounts.ErrInvalid):
		msg = invalidMessage(err)
	default:
		return p.storeFail(c, err)
	}
	return p.renderUnitRecordMsg(c, s, roles, lang, http.StatusBadRequest, u, p.unitEditForm(lang, p.csrf(s), u), msg)
}
