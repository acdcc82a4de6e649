package pages

import (
	"github.com/gjjid/gjjid/connectors/password"

	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// AccountChange is the audit type of a person's change to their own
// account on 我的账号 (Action says which).
const AccountChange = "account.change"

// registerAccount adds 我的账号: a person's profile (masked), password,
// sign-in methods, units and recent sign-ins.
func (p *Pages) registerAccount(e *echo.Echo) {
	e.GET("/account", p.signedIn(p.accountPage))
	e.POST("/account/password", p.guard(p.person(p.changePassword)))
	e.POST("/account/links/remove", p.guard(p.person(p.unlink)))
	e.POST("/account/signout-all", p.guard(p.person(p.signOutEverywhere)))
	e.POST("/account/sessions/signout", p.guard(p.person(p.signOutSession)))
	e.POST("/account/devices/forget", p.guard(p.person(p.forgetDevice)))
}

// personHandler is an /account handler with the signed-in person.
type personHandler func(c echo.Context, s *session, me *store.Person) error

// person admits persons only: a unit's own certificate login has no
// personal account (its page is /unit).
func (p *Pages) person(h personHandler) handler {
	return func(c echo.Context, s *session) error {
		if _, isUnit := accounts.UnitOfSubject(s.Subject); isUnit {
			return c.Redirect(http.StatusSeeOther, "/unit")
		}
		me, err := p.o.Accounts.GetPerson(c.Request().Context(), s.Subject)
		if errors.Is(err, store.ErrNotFound) {
			return p.fail(c, http.StatusForbidden, "pg_err_no_person", nil)
		}
		if err != nil {
			return p.storeFail(c, err)
		}
		if me.Status != accounts.StatusActive {
			p.setCookie(c, sessionCookie, "", -1)
			return p.fail(c, http.StatusForbidden, "err_no_account", nil)
		}
		return h(c, s, me)
	}
}

func (p *Pages) accountPage(c echo.Context, s *session) error {
	return p.person(func(c echo.Context, s *session, me *store.Person) error {
		var notice string
		if d := c.QueryParam("done"); d != "" {
			notice = web.Text(p.lang(c), "pg_done_"+d)
		}
		return p.renderAccount(c, http.StatusOK, s, me, p.passwordForm(p.lang(c), s), "", notice)
	})(c, s)
}

type linkRow struct{ Connector, Subject, Label, Kind, Created string }
type unitRow struct{ ID, Name, Roles string }

func (p *Pages) renderAccount(c echo.Context, status int, s *session, me *store.Person, pw form, errMsg, notice string) error {
	ctx := c.Request().Context()
	lang := p.lang(c)
	links, err := p.o.Accounts.LinksOf(ctx, me.ID)
	if err != nil {
		return p.storeFail(c, err)
	}
	var lrows []linkRow
	for _, l := range links {
		lrows = append(lrows, linkRow{Connector: l.Connector, Subject: l.Subject, Label: l.Label, Kind: l.Kind, Created: l.CreatedAt.In(chinaTime).Format("2006-01-02")})
	}
	refs, err := p.o.Accounts.UnitsOf(ctx, me.ID)
	if err != nil {
		return p.storeFail(c, err)
	}
	var urows []unitRow
	for _, u := range refs {
		r := unitRow{ID: u.ID, Name: u.Name}
		for i, role := range u.Roles {
			if i > 0 {
				r.Roles += "、"
			}
			r.Roles += web.Text(lang, "pg_role_"+role)
		}
		urows = append(urows, r)
	}
	sessions, err := p.ssoSessions(ctx, lang, s, me.ID)
	if err != nil {
		return p.storeFail(c, err)
	}
	devices, err := p.devices(ctx, me.ID)
	if err != nil {
		return p.storeFail(c, err)
	}
	pw.finish()
	f := p.frame(c, s, lang, web.Text(lang, "pg_account_title"))
	f.Error, f.Notice = errMsg, notice
	return p.render(c, status, "pg_account", struct {
		frame
		PersonName, IDType, IDMasked, MobileMasked string
		Password                                   form
		Links                                      []linkRow
		Units                                      []unitRow
		SignIns                                    []activity
		Sessions                                   []sessionRow
		Devices                                    []deviceRow
		DevicesShown                               bool
	}{f, me.Name, ids.DocTypeLabel(me.IDType, lang), me.IDMasked, me.MobileMasked, pw, lrows, urows, p.signIns(ctx, lang, me.ID), sessions, devices, p.o.Devices != nil})
}

// signIns are the person's sign-ins of the last 30 days, newest first.
func (p *Pages) signIns(ctx context.Context, lang, personID string) []activity {
	if p.o.Audit == nil {
		return nil
	}
	evs, _, err := p.o.Audit.Query(ctx, audit.Query{Since: p.o.Now().Add(-30 * 24 * time.Hour), Principal: personID, Type: "login.", Limit: 1000})
	if err != nil {
		p.log.WarnContext(ctx, "sign-in history", "err", err)
		return nil
	}
	var out []activity
	for i := len(evs) - 1; i >= 0 && len(out) < 20; i-- {
		e := evs[i]
		out = append(out, activity{Time: e.Time.In(chinaTime).Format("2006-01-02 15:04"), What: web.Text(lang, "pg_event_"+e.Type), Who: e.Connector + " · " + e.IP})
	}
	return out
}

func (p *Pages) passwordForm(lang string, s *session) form {
	text := func(k string) string { return web.Text(lang, k) }
	return form{Action: "/account/password", CSRF: p.csrf(s), Submit: web.Text(lang, "pg_pw_submit"), Fields: []field{
		{ID: "old-password", Name: "old_password", Label: web.Text(lang, "pg_f_old_password"), Type: "password", Required: true, MaxLength: 6, InputMode: "numeric", Pattern: "[0-9]{6}", Autocomplete: "current-password", Check: "password6"},
		{ID: "new-password", Name: "password", Label: web.Text(lang, "pg_f_new_password"), Type: "password", Required: true, MaxLength: 6, InputMode: "numeric", Pattern: "[0-9]{6}", Autocomplete: "new-password", Check: "password", Hint: web.Text(lang, "pg_h_password")},
		{ID: "new-password2", Name: "password2", Label: web.Text(lang, "pg_f_password2"), Type: "password", Required: true, MaxLength: 6, InputMode: "numeric", Pattern: "[0-9]{6}", Autocomplete: "new-password", Check: "password2"},
	}}.withMessages(text)
}

// changePassword checks the old password as a login would — through the
// password connector, so its failure counts and lockouts apply — then sets
// the new one under the agent password rules.
func (p *Pages) changePassword(c echo.Context, s *session, me *store.Person) error {
	ctx := c.Request().Context()
	lang := p.lang(c)
	f := p.passwordForm(lang, s)
	old, pw := c.FormValue("old_password"), c.FormValue("password")
	if pw != c.FormValue("password2") {
		f.setError("password2", web.Text(lang, "pg_e_password2"))
	}
	idNumber, _ := p.o.Accounts.UnsealIDNumber(me)
	mobile, _ := p.o.Accounts.UnsealMobile(me)
	if err := accounts.ValidateAgentPassword(pw, idNumber, mobile); err != nil {
		f.setError("password", web.Text(lang, "pg_e_password"))
	}
	if old == pw && pw != "" {
		f.setError("password", web.Text(lang, "pg_e_password_same"))
	}
	if f.finish(); len(f.Errors) > 0 {
		return p.renderAccount(c, http.StatusBadRequest, s, me, f, "", "")
	}
	if p.o.PasswordCheck == nil {
		return p.fail(c, http.StatusNotFound, "err_no_connector", nil)
	}
	login := idNumber
	if me.IDType != accounts.IDTypeResident || login == "" {
		login = mobile
	}
	id, err := p.o.PasswordCheck.Login(ctx, connectors.Credentials{User: login, Secret: old, RemoteIP: c.RealIP()})
	var le *connectors.LoginError
	if errors.As(err, &le) && le.Code == password.CodeMustChange {
		err = nil // the right password, reset by staff: changing it is what it is for
	}
	switch {
	case errors.As(err, &le):
		p.record(c, audit.Event{Type: AccountChange, Action: "password.change", Outcome: audit.Failure, Reason: le.Code,
			Actor: "person:" + me.ID, Principal: me.ID, Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
		msg := le.Message[lang]
		if msg == "" {
			msg = web.Text(lang, "pg_e_old_password")
		}
		f.setError("old_password", msg)
		f.finish()
		return p.renderAccount(c, http.StatusBadRequest, s, me, f, "", "")
	case err != nil:
		return p.storeFail(c, err)
	case id.Subject != me.ID:
		return p.fail(c, http.StatusForbidden, "pg_err_no_person", nil)
	}
	if err := p.o.Accounts.SetPassword(ctx, me.ID, pw); err != nil {
		if errors.Is(err, accounts.ErrInvalid) {
			f.setError("password", web.Text(lang, "pg_e_password"))
			f.finish()
			return p.renderAccount(c, http.StatusBadRequest, s, me, f, "", "")
		}
		return p.storeFail(c, err)
	}
	p.record(c, audit.Event{Type: AccountChange, Action: "password.change", Outcome: audit.Success, Actor: "person:" + me.ID, Principal: me.ID,
		Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
	return c.Redirect(http.StatusSeeOther, "/account?done=password")
}

// unlink removes one of the person's own sign-in links; another's link is
// refused, audited, and left alone.
func (p *Pages) unlink(c echo.Context, s *session, me *store.Person) error {
	ctx := c.Request().Context()
	l, err := p.o.Accounts.GetLink(ctx, c.FormValue("connector"), c.FormValue("subject"))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return p.storeFail(c, err)
	}
	if l == nil || l.PersonID != me.ID {
		p.record(c, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "not_own_link", Action: "links.delete",
			Actor: "person:" + me.ID, Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
		return p.renderAccount(c, http.StatusForbidden, s, me, p.passwordForm(p.lang(c), s), web.Text(p.lang(c), "pg_r_not_own_link"), "")
	}
	if _, err := p.o.Accounts.Unlink(ctx, l.Connector, l.Subject); err != nil {
		return p.storeFail(c, err)
	}
	p.record(c, audit.Event{Type: audit.LinkDelete, Action: "links.delete", Actor: "person:" + me.ID, Principal: me.ID, Unit: l.UnitID,
		Connector: l.Connector, Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
		Before: map[string]any{"connector": l.Connector, "subject": l.Subject, "kind": l.Kind, "label": l.Label}})
	return c.Redirect(http.StatusSeeOther, "/account?done=unlinked")
}

// actorOf names the session's principal as audit events do.
func actorOf(s *session) string {
	if u, ok := accounts.UnitOfSubject(s.Subject); ok {
		return "unit:" + u
	}
	return "person:" + s.Subject
}
