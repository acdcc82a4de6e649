package pages

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/password"
)

// /password/change: a person whose password the fund's staff reset with
// "must change" cannot sign in with it (the password connector answers
// password_change_required); here, without signing in, they prove it —
// through the password connector's Login, so its lockouts apply — and
// choose a new one, which clears the flag. Then they sign in as usual.
func (p *Pages) registerMustChange(e *echo.Echo) {
	if p.o.PasswordCheck == nil {
		return
	}
	e.GET("/password/change", p.mustChangePage)
	e.POST("/password/change", p.mustChangePost)
}

const mustChangeCookie = "gjjid_pw_change"

func (p *Pages) mustChangeForm(lang, token string) form {
	return form{Action: "/password/change", CSRF: token, Submit: web.Text(lang, "pg_change_password"), Fields: []field{
		{ID: "mc-login", Name: "login", Label: web.Text(lang, "pg_mc_login"), Type: "text", Required: true, MaxLength: 32, Autocomplete: "username"},
		{ID: "mc-old", Name: "old_password", Label: web.Text(lang, "pg_mc_old"), Type: "password", Required: true, MaxLength: 6, InputMode: "numeric", Autocomplete: "current-password"},
		{ID: "mc-new", Name: "password", Label: web.Text(lang, "pg_con_f_new_password"), Type: "password", Required: true, MaxLength: 6, InputMode: "numeric", Autocomplete: "new-password"},
		{ID: "mc-new2", Name: "password2", Label: web.Text(lang, "pg_mc_repeat"), Type: "password", Required: true, MaxLength: 6, InputMode: "numeric", Autocomplete: "new-password"},
	}}
}

func (p *Pages) mustChangePage(c echo.Context) error {
	lang := p.lang(c)
	token := secrets.Random(32)
	p.setCookie(c, mustChangeCookie, token, 30*time.Minute)
	return p.renderMustChange(c, http.StatusOK, lang, p.mustChangeForm(lang, token), "")
}

func (p *Pages) renderMustChange(c echo.Context, status int, lang string, f form, notice string) error {
	f.finish()
	fr := p.frame(c, nil, lang, web.Text(lang, "pg_mc_title"))
	fr.Notice = notice
	return p.render(c, status, "pg_mustchange", struct {
		frame
		Form form
		Done bool
	}{fr, f, notice != ""})
}

func (p *Pages) mustChangePost(c echo.Context) error {
	lang, ctx := p.lang(c), c.Request().Context()
	if why := CrossOrigin(c.Request(), p.origin); why != "" {
		p.refuse(c, nil, why)
		return p.fail(c, http.StatusForbidden, "pg_err_cross_site", nil)
	}
	ck, err := c.Cookie(mustChangeCookie)
	if err != nil || ck.Value == "" || !hmac.Equal([]byte(ck.Value), []byte(c.FormValue("csrf"))) {
		p.refuse(c, nil, "csrf")
		return p.fail(c, http.StatusForbidden, "err_csrf", nil)
	}
	f := p.mustChangeForm(lang, ck.Value)
	f.Fields[0].Value = strings.TrimSpace(c.FormValue("login"))
	newPW := c.FormValue("password")
	if newPW != c.FormValue("password2") {
		f.setError("password2", web.Text(lang, "pg_e_password2"))
		return p.renderMustChange(c, http.StatusBadRequest, lang, f, "")
	}
	id, err := p.o.PasswordCheck.Login(ctx, connectors.Credentials{User: c.FormValue("login"), Secret: c.FormValue("old_password"), RemoteIP: c.RealIP()})
	var le *connectors.LoginError
	switch {
	case errors.As(err, &le) && le.Code == password.CodeMustChange:
	case errors.As(err, &le):
		msg := le.Message[lang]
		if msg == "" {
			msg = web.Text(lang, "pg_e_old_password")
		}
		f.setError("old_password", msg)
		return p.renderMustChange(c, http.StatusBadRequest, lang, f, "")
	case err != nil:
		return p.storeFail(c, err)
	}
	if err := p.o.Accounts.SetPassword(ctx, id.Subject, newPW); err != nil {
		if errors.Is(err, accounts.ErrInvalid) || errors.Is(err, accounts.ErrWeakPassword) {
			f.setError("password", web.Text(lang, "pg_e_password"))
			return p.renderMustChange(c, http.StatusBadRequest, lang, f, "")
		}
		return p.storeFail(c, err)
	}
	p.setCookie(c, mustChangeCookie, "", -1)
	p.record(c, audit.Event{Type: AccountChange, Action: "password.change", Actor: "person:" + id.Subject, Principal: id.Subject,
		Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
	return p.renderMustChange(c, http.StatusOK, lang, form{}, web.Text(lang, "pg_mc_done"))
}
