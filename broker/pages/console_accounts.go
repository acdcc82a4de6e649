package pages

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors/ids"
	"github.com/gjjid/gjjid/connectors/password"
)

// The console's units, persons and agents, at the counter: search by
// credit code, name or ID number (posted, never in a URL), a unit's
// record and agents, a person's record with unlock, password reset (with
// must-change) and disable. The rules are accounts.Service's, as for the
// admin API.
func (p *Pages) registerConsoleAccounts(e *echo.Echo) {
	e.GET("/admin/accounts", p.consoleView(staff.AreaAccounts, p.accountSearchPage))
	p.registerConsolePersons(e)
	e.POST("/admin/accounts/search", p.consoleAction(staff.AreaAccounts, p.accountSearch))
	e.POST("/admin/units", p.consoleAction(staff.AreaAccounts, p.unitCreate))
	e.GET("/admin/units/:unit", p.consoleView(staff.AreaAccounts, p.unitRecord))
	e.POST("/admin/units/:unit", p.consoleAction(staff.AreaAccounts, p.unitUpdate))
	e.GET("/admin/persons/:person", p.consoleView(staff.AreaAccounts, p.personRecord))
	e.POST("/admin/persons/:person/password", p.consoleAction(staff.AreaAccounts, p.personReset))
	e.POST("/admin/persons/:person/unlock", p.consoleAction(staff.AreaAccounts, p.personUnlock))
	e.POST("/admin/persons/:person/status", p.consoleAction(staff.AreaAccounts, p.personStatus))
}

// maxNameHits bounds the units, and the persons, a search by name lists.
const maxNameHits = 100

type hit struct{ URL, Label, Detail string }

func (p *Pages) searchForm(lang, csrf string) form {
	return form{Action: "/admin/accounts/search", CSRF: csrf, Submit: web.Text(lang, "pg_con_search"), Fields: []field{
		{ID: "search-q", Name: "q", Label: web.Text(lang, "pg_con_search_q"), Type: "text", Required: true, MaxLength: 128,
			Hint: web.Text(lang, "pg_con_h_search")},
	}}
}

func (p *Pages) unitForm(lang, csrf string) form {
	return form{Action: "/admin/units", CSRF: csrf, Submit: web.Text(lang, "pg_con_unit_create"), Fields: []field{
		{ID: "unit-id", Name: "id", Label: web.Text(lang, "pg_con_f_credit_code"), Type: "text", Required: true, MaxLength: 18},
		{ID: "unit-name", Name: "name", Label: web.Text(lang, "pg_con_f_unit_name"), Type: "text", Required: true, MaxLength: 128},
		{ID: "unit-customer-no", Name: "customer_no", Label: web.Text(lang, "pg_con_f_customer_no"), Type: "text", MaxLength: 64},
	}}
}

func (p *Pages) accountSearchPage(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	return p.renderAccounts(c, s, roles, lang, http.StatusOK, p.searchForm(lang, p.csrf(s)), p.unitForm(lang, p.csrf(s)), nil, false)
}

func (p *Pages) renderAccounts(c echo.Context, s *session, roles []string, lang string, status int, search, unit form, hits []hit, searched bool) error {
	return p.renderAccountsAll(c, s, roles, lang, status, search, unit, p.personForm(lang, p.csrf(s)), hits, searched)
}

// renderAccountsWith shows the page with the person form as posted.
func (p *Pages) renderAccountsWith(c echo.Context, s *session, roles []string, lang string, status int, person form) error {
	return p.renderAccountsAll(c, s, roles, lang, status, p.searchForm(lang, p.csrf(s)), p.unitForm(lang, p.csrf(s)), person, nil, false)
}

func (p *Pages) renderAccountsAll(c echo.Context, s *session, roles []string, lang string, status int, search, unit, person form, hits []hit, searched bool) error {
	search.finish()
	unit.finish()
	person.finish()
	return p.render(c, status, "pg_con_accounts", struct {
		frame
		Search, Unit, Person form
		Hits                 []hit
		Searched             bool
	}{p.consoleFrame(c, s, roles, lang, "pg_con_accounts"), search, unit, person.withMessages(func(k string) string { return web.Text(lang, k) }), hits, searched})
}

// accountSearch finds units and persons by credit code, ID number or a
// part of the name.
func (p *Pages) accountSearch(c echo.Context, s *session, roles []string) error {
	lang, ctx := p.lang(c), c.Request().Context()
	q := strings.TrimSpace(c.FormValue("q"))
	search := p.searchForm(lang, p.csrf(s))
	search.fill(url.Values{"q": {q}})
	if q == "" {
		search.setError("q", web.Text(lang, "pg_con_e_search"))
		return p.renderAccounts(c, s, roles, lang, http.StatusBadRequest, search, p.unitForm(lang, p.csrf(s)), nil, false)
	}
	var hits []hit
	if code, err := ids.CreditCode(q); err == nil {
		if u, err := p.o.Accounts.GetUnit(ctx, code); err == nil {
			hits = append(hits, unitHit(u))
		}
	}
	if n, err := ids.ResidentID(q); err == nil {
		if per, err := p.o.Accounts.FindByIDNumber(ctx, accounts.IDTypeResident, n); err == nil {
			hits = append(hits, personHit(per))
		}
	}
	complete := true
	if len(hits) == 0 {
		var err error
		if hits, complete, err = p.searchNames(c, q); err != nil {
			return p.storeFail(c, err)
		}
	}
	if !complete {
		// Said where the person looks: under the search box.
		search.Fields[0].Hint = web.Text(lang, "pg_con_search_partial")
	}
	return p.renderAccounts(c, s, roles, lang, http.StatusOK, search, p.unitForm(lang, p.csrf(s)), hits, true)
}

func unitHit(u *store.Unit) hit {
	return hit{URL: "/admin/units/" + url.PathEscape(u.ID), Label: u.Name, Detail: u.ID}
}

func personHit(per *store.Person) hit {
	return hit{URL: "/admin/persons/" + url.PathEscape(per.ID), Label: per.Name, Detail: per.IDMasked}
}

// searchNames finds units and persons by a part of their name (the whole
// tables with PostgreSQL; the first accounts.MaxNameScan of each kind
// otherwise, which the page then says).
func (p *Pages) searchNames(c echo.Context, q string) (hits []hit, complete bool, err error) {
	units, persons, complete, err := p.o.Accounts.SearchNames(c.Request().Context(), q, maxNameHits)
	if err != nil {
		return nil, false, err
	}
	for _, u := range units {
		hits = append(hits, unitHit(u))
	}
	for _, per := range persons {
		hits = append(hits, personHit(per))
	}
	return hits, complete, nil
}

// setFieldError puts an accounts validation error on its field, or on
// fallback.
func setFieldError(f *form, err error, fallback string) bool {
	var fe *accounts.FieldError
	switch {
	case errors.As(err, &fe):
		if !hasField(f, fe.Field) {
			f.setError(fallback, fe.Problem)
		}
		f.setError(fe.Field, fe.Problem)
		return true
	case errors.Is(err, accounts.ErrInvalid):
		field, _ := accounts.Field(err)
		if !hasField(f, field) {
			field = fallback
		}
		f.setError(field, invalidMessage(err))
		return true
	}
	return false
}

func hasField(f *form, name string) bool {
	for _, fl := range f.Fields {
		if fl.Name == name {
			return true
		}
	}
	return false
}

func invalidMessage(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

func (p *Pages) unitCreate(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	in, _ := c.FormParams()
	f := p.unitForm(lang, p.csrf(s))
	f.fill(in)
	u, err := p.o.Accounts.CreateUnit(c.Request().Context(), in.Get("id"), in.Get("customer_no"), in.Get("name"))
	switch {
	case errors.Is(err, store.ErrConflict):
		f.setError("id", web.Text(lang, "pg_con_err_unit_exists"))
	case err != nil && !setFieldError(&f, err, "id"):
		return p.storeFail(c, err)
	}
	if err != nil {
		return p.renderAccounts(c, s, roles, lang, http.StatusBadRequest, p.searchForm(lang, p.csrf(s)), f, nil, false)
	}
	p.staffRecord(c, s, audit.Event{Action: "units.create", Principal: u.ID, Unit: u.ID, After: map[string]any{"name": u.Name, "customer_no": u.CustomerNo}})
	return c.Redirect(http.StatusSeeOther, "/admin/units/"+url.PathEscape(u.ID)+"?done=unit_created")
}

func (p *Pages) unitEditForm(lang, csrf string, u *store.Unit) form {
	return form{Action: "/admin/units/" + url.PathEscape(u.ID), CSRF: csrf, Submit: web.Text(lang, "pg_con_save"), Fields: []field{
		{ID: "unit-name", Name: "name", Label: web.Text(lang, "pg_con_f_unit_name"), Type: "text", Value: u.Name, Required: true, MaxLength: 128},
		{ID: "unit-customer-no", Name: "customer_no", Label: web.Text(lang, "pg_con_f_customer_no"), Type: "text", Value: u.CustomerNo, MaxLength: 64},
		{ID: "unit-status", Name: "status", Label: web.Text(lang, "pg_status"), Type: "select", Options: []option{
			{Value: accounts.StatusActive, Label: web.Text(lang, "pg_status_active"), Selected: u.Status == accounts.StatusActive},
			{Value: accounts.StatusDisabled, Label: web.Text(lang, "pg_status_disabled"), Selected: u.Status == accounts.StatusDisabled}}},
	}}
}

type agentLine struct {
	URL, PersonID, Name, IDMasked, Roles, Status string
	// Admin: the agent holds unit_admin (the role select's choice).
	Admin bool
}

func (p *Pages) unitRecord(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	u, err := p.o.Accounts.GetUnit(c.Request().Context(), c.Param("unit"))
	if errors.Is(err, store.ErrNotFound) {
		return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", nil)
	}
	if err != nil {
		return p.storeFail(c, err)
	}
	return p.renderUnitRecord(c, s, roles, lang, http.StatusOK, u, p.unitEditForm(lang, p.csrf(s), u))
}

func (p *Pages) renderUnitRecord(c echo.Context, s *session, roles []string, lang string, status int, u *store.Unit, f form) error {
	return p.renderUnitRecordMsg(c, s, roles, lang, status, u, f, "")
}

func (p *Pages) renderUnitRecordMsg(c echo.Context, s *session, roles []string, lang string, status int, u *store.Unit, f form, errMsg string) error {
	ctx := c.Request().Context()
	ags, _, err := p.o.Accounts.AgentsOfUnit(ctx, u.ID, "", 500)
	if err != nil {
		return p.storeFail(c, err)
	}
	lines := make([]agentLine, 0, len(ags))
	for _, a := range ags {
		l := agentLine{URL: "/admin/persons/" + url.PathEscape(a.PersonID), PersonID: a.PersonID, Roles: strings.Join(a.Roles, " "),
			Status: web.Text(lang, "pg_status_"+a.Status), Admin: slices.Contains(a.Roles, "unit_admin")}
		if per, err := p.o.Accounts.GetPerson(ctx, a.PersonID); err == nil {
			l.Name, l.IDMasked = per.Name, per.IDMasked
		}
		lines = append(lines, l)
	}
	f.finish()
	fr := p.consoleFrame(c, s, roles, lang, "pg_con_unit")
	if errMsg != "" {
		fr.Error = errMsg
	}
	return p.render(c, status, "pg_con_unit", struct {
		frame
		Unit   *store.Unit
		Form   form
		Agents []agentLine
	}{fr, u, f, lines})
}

func (p *Pages) unitUpdate(c echo.Context, s *session, roles []string) error {
	lang, id := p.lang(c), c.Param("unit")
	in, _ := c.FormParams()
	name, no, st := in.Get("name"), in.Get("customer_no"), in.Get("status")
	before, after, err := p.o.Accounts.UpdateUnit(c.Request().Context(), id, accounts.UnitChange{Name: &name, CustomerNo: &no, Status: &st})
	if err != nil {
		u, gerr := p.o.Accounts.GetUnit(c.Request().Context(), id)
		if gerr != nil {
			return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", nil)
		}
		f := p.unitEditForm(lang, p.csrf(s), u)
		f.fill(in)
		if !setFieldError(&f, err, "name") {
			return p.storeFail(c, err)
		}
		return p.renderUnitRecord(c, s, roles, lang, http.StatusBadRequest, u, f)
	}
	p.staffRecord(c, s, audit.Event{Action: "units.update", Principal: id, Unit: id,
		Before: map[string]any{"name": before.Name, "customer_no": before.CustomerNo, "status": before.Status},
		After:  map[string]any{"name": after.Name, "customer_no": after.CustomerNo, "status": after.Status}})
	return c.Redirect(http.StatusSeeOther, "/admin/units/"+url.PathEscape(id)+"?done=updated")
}

func (p *Pages) resetForm(lang, csrf, id string) form {
	return form{Action: "/admin/persons/" + url.PathEscape(id) + "/password", CSRF: csrf, Submit: web.Text(lang, "pg_reset_password"), Fields: []field{
		{ID: "reset-password", Name: "password", Label: web.Text(lang, "pg_con_f_new_password"), Type: "password", Required: true,
			MaxLength: 6, InputMode: "numeric", Autocomplete: "new-password", Hint: web.Text(lang, "pg_con_h_new_password")},
		{ID: "reset-must-change", Name: "must_change", Label: web.Text(lang, "pg_con_f_must_change"), Type: "checkbox",
			Options: []option{{Value: "1", Label: web.Text(lang, "pg_con_must_change"), Selected: true}}},
	}}
}

func (p *Pages) personRecord(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	per, err := p.o.Accounts.GetPerson(c.Request().Context(), c.Param("person"))
	if errors.Is(err, store.ErrNotFound) {
		return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", nil)
	}
	if err != nil {
		return p.storeFail(c, err)
	}
	return p.renderPersonRecord(c, s, roles, lang, http.StatusOK, per, p.resetForm(lang, p.csrf(s), per.ID), nil)
}

func (p *Pages) renderPersonRecord(c echo.Context, s *session, roles []string, lang string, status int, per *store.Person, reset form, edit *form) error {
	if edit == nil {
		f := p.personEditForm(lang, p.csrf(s), per)
		edit = &f
	}
	ctx := c.Request().Context()
	refs, err := p.o.Accounts.UnitsOf(ctx, per.ID)
	if err != nil {
		return p.storeFail(c, err)
	}
	var units []hit
	for _, r := range refs {
		units = append(units, hit{URL: "/admin/units/" + url.PathEscape(r.ID), Label: r.Name, Detail: strings.Join(r.Roles, " ")})
	}
	reset.finish()
	edit.finish()
	return p.render(c, status, "pg_con_person", struct {
		frame
		Person         *store.Person
		IDType, Status string
		Active         bool
		Reset, Edit    form
		Units          []hit
	}{p.consoleFrame(c, s, roles, lang, "pg_con_person"), per, ids.DocTypeLabel(per.IDType, lang),
		web.Text(lang, "pg_status_"+per.Status), per.Status == accounts.StatusActive, reset, *edit, units})
}

func (p *Pages) personReset(c echo.Context, s *session, roles []string) error {
	lang, ctx, id := p.lang(c), c.Request().Context(), c.Param("person")
	mustChange := c.FormValue("must_change") == "1"
	err := p.o.Accounts.ResetPassword(ctx, id, c.FormValue("password"), mustChange)
	if err != nil {
		per, gerr := p.o.Accounts.GetPerson(ctx, id)
		if gerr != nil {
			return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", nil)
		}
		f := p.resetForm(lang, p.csrf(s), id)
		if !setFieldError(&f, err, "password") {
			return p.storeFail(c, err)
		}
		return p.renderPersonRecord(c, s, roles, lang, http.StatusBadRequest, per, f, nil)
	}
	p.staffRecord(c, s, audit.Event{Action: "persons.reset_password", Principal: id, After: map[string]any{"must_change_password": mustChange}})
	return c.Redirect(http.StatusSeeOther, "/admin/persons/"+url.PathEscape(id)+"?done=password_reset")
}

// personUnlock resets the password lockout counters of the person's
// account and of their logins (ID number and mobile).
func (p *Pages) personUnlock(c echo.Context, s *session, roles []string) error {
	ctx, id := c.Request().Context(), c.Param("person")
	per, err := p.o.Accounts.GetPerson(ctx, id)
	if err != nil {
		return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", err)
	}
	var logins []string
	if n, err := p.o.Accounts.UnsealIDNumber(per); err == nil {
		logins = append(logins, n)
	}
	if m, err := p.o.Accounts.UnsealMobile(per); err == nil && m != "" {
		logins = append(logins, m)
	}
	for _, k := range password.LockoutKeys(p.o.LockKey, id, logins...) {
		if err := p.o.Counters.Reset(ctx, k); err != nil {
			return p.storeFail(c, err)
		}
	}
	p.staffRecord(c, s, audit.Event{Action: "persons.unlock", Principal: id})
	return c.Redirect(http.StatusSeeOther, "/admin/persons/"+url.PathEscape(id)+"?done=unlocked")
}

func (p *Pages) personStatus(c echo.Context, s *session, roles []string) error {
	ctx, id := c.Request().Context(), c.Param("person")
	st := c.FormValue("status")
	if st != accounts.StatusActive && st != accounts.StatusDisabled {
		return p.fail(c, http.StatusBadRequest, "err_internal", nil)
	}
	before, after, err := p.o.Accounts.UpdatePerson(ctx, id, accounts.PersonChange{Status: &st})
	if err != nil {
		return p.storeFail(c, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "persons.update", Principal: id,
		Before: map[string]any{"status": before.Status}, After: map[string]any{"status": after.Status}})
	return c.Redirect(http.StatusSeeOther, "/admin/persons/"+url.PathEscape(id)+"?done="+st)
}

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
