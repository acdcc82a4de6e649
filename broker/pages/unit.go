package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/admin"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors/ids"
)

// registerUnit adds 单位登录权限管理: the unit's agents and the changes a
// unit (by its certificate) or its unit_admin agents may make, all through
// admin.UnitSelfService, the logic behind /api/v1/unit.
func (p *Pages) registerUnit(e *echo.Echo) {
	e.GET("/unit", p.signedIn(p.unitPage))
	e.POST("/unit/agents", p.guard(p.unitAdmitted(p.addAgent)))
	e.POST("/unit/agents/status", p.guard(p.unitAdmitted(p.agentStatus)))
	e.POST("/unit/agents/roles", p.guard(p.unitAdmitted(p.agentRoles)))
	e.POST("/unit/agents/password", p.guard(p.unitAdmitted(p.agentPassword)))
	e.POST("/unit/agents/remove", p.guard(p.unitAdmitted(p.agentRemove)))
}

// unitHandler is a /unit handler with the admitted actor.
type unitHandler func(c echo.Context, s *session, who admin.UnitActor) error

// admit asks the self-service rules whether s may manage its unit.
func (p *Pages) admit(c echo.Context, s *session) (admin.UnitActor, error) {
	who := admin.UnitActor{Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent(), Attempt: c.Request().Method + " " + c.Path()}
	return p.o.Units.Admit(c.Request().Context(), s.Subject, s.Unit, who)
}

func (p *Pages) unitAdmitted(h unitHandler) handler {
	return func(c echo.Context, s *session) error {
		who, err := p.admit(c, s)
		if err != nil {
			return p.unitRefused(c, err)
		}
		return h(c, s, who)
	}
}

func (p *Pages) unitRefused(c echo.Context, err error) error {
	if _, ok := admin.ProblemOf(err); ok {
		return p.fail(c, http.StatusForbidden, "pg_err_not_unit_admin", nil)
	}
	return p.storeFail(c, err)
}

func (p *Pages) storeFail(c echo.Context, err error) error {
	if errors.Is(err, store.ErrUnavailable) {
		return p.fail(c, http.StatusServiceUnavailable, "err_unavailable", err)
	}
	return p.fail(c, http.StatusInternalServerError, "err_internal", err)
}

func (p *Pages) unitPage(c echo.Context, s *session) error {
	who, err := p.admit(c, s)
	if err != nil {
		return p.unitRefused(c, err)
	}
	lang := p.lang(c)
	add := p.agentForm(lang, s)
	if f := p.takePending(c, s, "/unit"); f != nil {
		add.fill(f)
	}
	var notice string
	if d := c.QueryParam("done"); d != "" {
		notice = web.Text(lang, "pg_done_"+d)
	}
	return p.renderUnit(c, http.StatusOK, s, who, lang, add, "", notice)
}

// agentRow is an agent as the page lists it: masked identity only.
type agentRow struct {
	PersonID, Name, IDType, IDMasked, MobileMasked, Status, LastLogin string
	Roles                                                             []option
	Active, Self                                                      bool
}

type activity struct{ Time, What, Who string }

func (p *Pages) renderUnit(c echo.Context, status int, s *session, who admin.UnitActor, lang string, add form, errMsg, notice string) error {
	ctx := c.Request().Context()
	unitName := who.Unit
	if u, err := p.o.Accounts.GetUnit(ctx, who.Unit); err == nil {
		unitName = u.Name
	}
	entries, err := p.o.Units.Agents(ctx, who.Unit)
	if err != nil {
		return p.storeFail(c, err)
	}
	names := map[string]string{accounts.UnitSubject(who.Unit): unitName}
	lastLogin, events := p.unitActivity(ctx, who.Unit)
	rows := make([]agentRow, 0, len(entries))
	for _, e := range entries {
		r := agentRow{PersonID: e.Agent.PersonID, Status: web.Text(lang, "pg_status_"+e.Agent.Status), Active: e.Agent.Status == accounts.StatusActive,
			Self: e.Agent.PersonID == s.Subject, Roles: roleOptions(lang, e.Agent.Roles)}
		if e.Person != nil {
			r.Name, r.IDType, r.IDMasked, r.MobileMasked = e.Person.Name, ids.DocTypeLabel(e.Person.IDType, lang), e.Person.IDMasked, e.Person.MobileMasked
			names[e.Agent.PersonID] = r.Name
		}
		if t, ok := lastLogin[e.Agent.PersonID]; ok {
			r.LastLogin = t.In(chinaTime).Format("2006-01-02 15:04")
		}
		rows = append(rows, r)
	}
	var acts []activity
	for i := len(events) - 1; i >= 0 && len(acts) < 20; i-- {
		e := events[i]
		w := names[e.Principal]
		if w == "" {
			w = e.Principal
		}
		what := web.Text(lang, "pg_event_"+e.Type)
		if e.Action != "" {
			what += " · " + web.Text(lang, "pg_action_"+e.Action)
		}
		acts = append(acts, activity{Time: e.Time.In(chinaTime).Format("2006-01-02 15:04"), What: what, Who: w})
	}
	certs, err := p.unitCertificates(ctx, who.Unit)
	if err != nil {
		return p.storeFail(c, err)
	}
	add.finish()
	f := p.frame(c, s, lang, web.Text(lang, "pg_unit_title"))
	f.Error, f.Notice = errMsg, notice
	return p.render(c, status, "pg_unit", struct {
		frame
		UnitName, UnitID string
		Agents           []agentRow
		Add              form
		Activity         []activity
		Certificates     []certRow
		CanBind          bool
	}{f, unitName, who.Unit, rows, add, acts, certs, p.certConnector("") != nil && p.o.Values != nil})
}

// chinaTime shows times as the fund's staff and units read them.
var chinaTime = time.FixedZone("CST", 8*60*60)

// unitActivity reads the unit's audit trail of the last 30 days: each
// agent's last login, and the events (logins and changes) oldest first.
func (p *Pages) unitActivity(ctx context.Context, unit string) (map[string]time.Time, []audit.Event) {
	last := map[string]time.Time{}
	var events []audit.Event
	if p.o.Audit == nil {
		return last, nil
	}
	q := audit.Query{Since: p.o.Now().Add(-30 * 24 * time.Hour), Principal: unit, Limit: 1000}
	for range 5 {
		evs, next, err := p.o.Audit.Query(ctx, q)
		if err != nil {
			p.log.WarnContext(ctx, "unit activity", "err", err)
			break
		}
		for _, e := range evs {
			switch {
			case e.Type == audit.LoginSuccess:
				last[e.Principal] = e.Time
				events = append(events, e)
			case e.Type == audit.UnitChange:
				events = append(events, e)
			}
		}
		if next == "" {
			break
		}
		q.After = next
	}
	if len(events) > 200 {
		events = events[len(events)-200:]
	}
	return last, events
}

func roleOptions(lang string, have []string) []option {
	out := []option{}
	for _, r := range []string{accounts.RoleOperator, accounts.RoleUnitAdmin} {
		out = append(out, option{Value: r, Label: web.Text(lang, "pg_role_"+r), Selected: slices.Contains(have, r)})
	}
	return out
}

// agentForm is the empty 添加经办人 form.
func (p *Pages) agentForm(lang string, s *session) form {
	types := make([]option, 0, len(ids.DocTypes))
	for i, t := range ids.DocTypes {
		types = append(types, option{Value: t, Label: ids.DocTypeLabel(t, lang), Selected: i == 0})
	}
	text := func(k string) string { return web.Text(lang, k) }
	return form{Action: "/unit/agents", CSRF: p.csrf(s), Submit: web.Text(lang, "pg_add_submit"), Fields: []field{
		{ID: "agent-name", Name: "name", Label: web.Text(lang, "pg_f_name"), Type: "text", Required: true, MaxLength: 64, Autocomplete: "off", Check: "name"},
		{ID: "agent-id-type", Name: "id_type", Label: web.Text(lang, "pg_f_id_type"), Type: "select", Required: true, Options: types},
		{ID: "agent-id-number", Name: "id_number", Label: web.Text(lang, "pg_f_id_number"), Type: "text", Required: true, MaxLength: 24, Autocomplete: "off", Check: "id_number", Hint: web.Text(lang, "pg_h_id_number")},
		{ID: "agent-mobile", Name: "mobile", Label: web.Text(lang, "pg_f_mobile"), Type: "tel", Required: true, MaxLength: 14, InputMode: "tel", Autocomplete: "off", Check: "mobile"},
		{ID: "agent-password", Name: "password", Label: web.Text(lang, "pg_f_password"), Type: "password", Required: true, MaxLength: 6, InputMode: "numeric", Pattern: "[0-9]{6}", Autocomplete: "new-password", Check: "password", Hint: web.Text(lang, "pg_h_password")},
		{ID: "agent-password2", Name: "password2", Label: web.Text(lang, "pg_f_password2"), Type: "password", Required: true, MaxLength: 6, InputMode: "numeric", Pattern: "[0-9]{6}", Autocomplete: "new-password", Check: "password2"},
		{ID: "agent-roles", Name: "roles", Label: web.Text(lang, "pg_f_roles"), Type: "checkbox", Options: roleOptions(lang, []string{accounts.RoleOperator})},
	}}.withMessages(text)
}

// checkAgent validates the add-agent input with the rules the account
// service applies (ids, accounts.ValidateAgentPassword), naming each field
// at fault; the service checks again when it creates the person.
func checkAgent(lang string, in url.Values, f *form) {
	if n := strings.TrimSpace(in.Get("name")); n == "" || len([]rune(n)) > 64 {
		f.setError("name", web.Text(lang, "pg_e_name"))
	}
	idNumber, err := ids.Document(in.Get("id_type"), in.Get("id_number"))
	if err != nil {
		if errors.Is(err, ids.ErrUnknownDocType) {
			f.setError("id_type", web.Text(lang, "pg_e_id_type"))
		} else {
			f.setError("id_number", web.Text(lang, "pg_e_id_number_"+in.Get("id_type")))
		}
	}
	mobile, err := ids.Mobile(in.Get("mobile"))
	if err != nil {
		f.setError("mobile", web.Text(lang, "pg_e_mobile"))
	}
	pw := in.Get("password")
	if err := accounts.ValidateAgentPassword(pw, idNumber, mobile); err != nil {
		f.setError("password", web.Text(lang, "pg_e_password"))
	}
	if in.Get("password2") != pw {
		f.setError("password2", web.Text(lang, "pg_e_password2"))
	}
	for _, r := range in["roles"] {
		if r != accounts.RoleOperator && r != accounts.RoleUnitAdmin {
			f.setError("roles", web.Text(lang, "pg_e_roles"))
		}
	}
}

func (p *Pages) addAgent(c echo.Context, s *session, who admin.UnitActor) error {
	if acr := p.o.Config.StepUp.AddAgent; !p.fresh(s, acr) {
		return p.stepUpFor(c, acr, "/unit", "password", "password2")
	}
	lang := p.lang(c)
	in, _ := c.FormParams()
	f := p.agentForm(lang, s)
	f.fill(in)
	checkAgent(lang, in, &f)
	f.finish()
	if len(f.Errors) > 0 {
		return p.renderUnit(c, http.StatusBadRequest, s, who, lang, f, "", "")
	}
	_, _, _, err := p.o.Units.CreateAgent(c.Request().Context(), who, admin.NewUnitAgent{Name: strings.TrimSpace(in.Get("name")), IDType: in.Get("id_type"),
		IDNumber: in.Get("id_number"), Mobile: in.Get("mobile"), Password: in.Get("password"), Roles: in["roles"]})
	if err != nil {
		pr, ok := admin.ProblemOf(err)
		if !ok {
			return p.storeFail(c, err)
		}
		msg := problemText(lang, pr)
		if pr.Field != "" {
			f.setError(pr.Field, msg)
			msg = ""
		}
		f.finish()
		return p.renderUnit(c, pr.Status, s, who, lang, f, msg, "")
	}
	return c.Redirect(http.StatusSeeOther, "/unit?done=added")
}

// problemText says in lang why the self-service rules refused a change.
func problemText(lang string, pr admin.Problem) string {
	switch pr.Reason {
	case "invalid":
		if pr.Field != "" {
			if t := web.Text(lang, "pg_e_"+pr.Field); t != "pg_e_"+pr.Field {
				return t
			}
		}
		return pr.Description
	case "":
		return pr.Description
	}
	return web.Text(lang, "pg_r_"+pr.Reason)
}

// rowChange runs a change of one agent row and answers with the page.
func (p *Pages) rowChange(c echo.Context, s *session, who admin.UnitActor, done string, change func(ctx context.Context, personID string) error) error {
	err := change(c.Request().Context(), c.FormValue("person"))
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/unit?done="+done)
	}
	pr, ok := admin.ProblemOf(err)
	if !ok {
		return p.storeFail(c, err)
	}
	lang := p.lang(c)
	return p.renderUnit(c, pr.Status, s, who, lang, p.agentForm(lang, s), problemText(lang, pr), "")
}

func (p *Pages) agentStatus(c echo.Context, s *session, who admin.UnitActor) error {
	status := c.FormValue("status")
	if status != accounts.StatusActive && status != accounts.StatusDisabled {
		return p.fail(c, http.StatusBadRequest, "err_invalid_request", nil)
	}
	done := "enabled"
	if status == accounts.StatusDisabled {
		done = "disabled"
	}
	return p.rowChange(c, s, who, done, func(ctx context.Context, person string) error {
		_, err := p.o.Units.SetAgentStatus(ctx, who, person, status)
		return err
	})
}

func (p *Pages) agentRoles(c echo.Context, s *session, who admin.UnitActor) error {
	roles := c.Request().PostForm["roles"]
	return p.rowChange(c, s, who, "roles", func(ctx context.Context, person string) error {
		_, err := p.o.Units.SetAgentRoles(ctx, who, person, roles)
		return err
	})
}

func (p *Pages) agentRemove(c echo.Context, s *session, who admin.UnitActor) error {
	return p.rowChange(c, s, who, "removed", func(ctx context.Context, person string) error {
		return p.o.Units.RemoveAgent(ctx, who, person)
	})
}

func (p *Pages) agentPassword(c echo.Context, s *session, who admin.UnitActor) error {
	if acr := p.o.Config.StepUp.ResetPassword; !p.fresh(s, acr) {
		return p.stepUpFor(c, acr, "/unit", "password", "password2")
	}
	lang := p.lang(c)
	pw := c.FormValue("password")
	if pw != c.FormValue("password2") {
		return p.renderUnit(c, http.StatusBadRequest, s, who, lang, p.agentForm(lang, s), web.Text(lang, "pg_f_password")+"："+web.Text(lang, "pg_e_password2"), "")
	}
	return p.rowChange(c, s, who, "password", func(ctx context.Context, person string) error {
		return p.o.Units.ResetAgentPassword(ctx, who, person, pw)
	})
}
