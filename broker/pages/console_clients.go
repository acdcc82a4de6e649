package pages

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
)

// The console's business systems (clients): the same clients.Service as
// the admin API, so the same rules (one redirect-URI rule, reserved
// scopes, read-only configured clients) apply.
func (p *Pages) registerConsoleClients(e *echo.Echo) {
	e.GET("/admin/clients", p.consoleView(staff.AreaClients, p.clientList))
	e.GET("/admin/clients/new", p.consoleView(staff.AreaClients, p.clientNew))
	e.POST("/admin/clients", p.consoleAction(staff.AreaClients, p.clientCreate))
	e.GET("/admin/clients/:client", p.consoleView(staff.AreaClients, p.clientEdit))
	e.POST("/admin/clients/:client", p.consoleAction(staff.AreaClients, p.clientUpdate))
	e.POST("/admin/clients/:client/secret", p.consoleAction(staff.AreaClients, p.clientRotate))
	e.POST("/admin/clients/:client/delete", p.consoleAction(staff.AreaClients, p.clientDelete))
	e.POST("/admin/clients/:client/status", p.consoleAction(staff.AreaClients, p.clientStatus))
}

// clientRow is a client as the list shows it.
type clientRow struct {
	ID, Name, Source, Grants, RedirectURIs string
	LastUse                                string // when it last received tokens; "" not known
	ReadOnly, Public, Disabled             bool
}

func (p *Pages) clientList(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	var rows []clientRow
	cursor := ""
	for range 20 { // at most 20 pages of clients.MaxPage
		cs, next, err := p.o.Clients.List(c.Request().Context(), cursor, clients.MaxPage)
		if err != nil {
			return p.storeFail(c, err)
		}
		for _, cl := range cs {
			if cl.ID == ClientID {
				continue
			}
			row := clientRow{ID: cl.ID, Name: cl.Name, Source: web.Text(lang, "pg_con_source_"+cl.Source),
				Grants: strings.Join(cl.GrantTypes, " "), RedirectURIs: strings.Join(cl.RedirectURIs, " "),
				ReadOnly: cl.Source == store.SourceConfig, Public: cl.AuthMethod == clients.AuthNone, Disabled: cl.Disabled}
			if p.o.Usage != nil {
				used, err := p.o.Usage.LastUse(c.Request().Context(), cl.ID)
				if err != nil {
					return p.storeFail(c, err)
				}
				if !used.IsZero() {
					row.LastUse = used.In(chinaTime).Format("2006-01-02 15:04")
				}
			}
			rows = append(rows, row)
		}
		if cursor = next; next == "" {
			break
		}
	}
	return p.render(c, http.StatusOK, "pg_con_clients", struct {
		frame
		Clients []clientRow
	}{p.consoleFrame(c, s, roles, lang, "pg_con_clients"), rows})
}

// clientForm is the form of a new or edited client.
func (p *Pages) clientForm(lang, csrf, action string, m clients.Metadata) form {
	opt := func(vals []string, sel []string) []option {
		out := make([]option, len(vals))
		for i, v := range vals {
			out[i] = option{Value: v, Label: web.Text(lang, "pg_con_opt_"+v), Selected: slices.Contains(sel, v)}
		}
		return out
	}
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{"authorization_code", "refresh_token"}
	}
	authSel := []string{m.AuthMethod}
	return form{Action: action, CSRF: csrf, Submit: web.Text(lang, "pg_con_save"), Fields: []field{
		{ID: "client-name", Name: "client_name", Label: web.Text(lang, "pg_con_f_name"), Type: "text", Value: m.Name, Required: true, MaxLength: 100},
		{ID: "client-redirect-uris", Name: "redirect_uris", Label: web.Text(lang, "pg_con_f_redirect_uris"), Type: "textarea",
			Value: strings.Join(m.RedirectURIs, "\n"), Hint: web.Text(lang, "pg_con_h_redirect_uris")},
		{ID: "client-grants", Name: "grant_types", Label: web.Text(lang, "pg_con_f_grants"), Type: "checkbox",
			Options: opt([]string{"authorization_code", "refresh_token", "client_credentials"}, m.GrantTypes)},
		{ID: "client-auth", Name: "token_endpoint_auth_method", Label: web.Text(lang, "pg_con_f_auth"), Type: "select",
			Options: opt([]string{clients.AuthBasic, clients.AuthPost, clients.AuthNone}, authSel)},
		{ID: "client-scopes", Name: "scopes", Label: web.Text(lang, "pg_con_f_scopes"), Type: "text", Value: strings.Join(m.Scopes, " "),
			Hint: web.Text(lang, "pg_con_h_scopes")},
		{ID: "client-logout-uris", Name: "post_logout_redirect_uris", Label: web.Text(lang, "pg_con_f_logout_uris"), Type: "textarea",
			Value: strings.Join(m.PostLogoutRedirectURIs, "\n")},
		{ID: "client-backchannel", Name: "backchannel_logout_uri", Label: web.Text(lang, "pg_con_f_backchannel"), Type: "text",
			Value: m.BackchannelLogoutURI},
	}}
}

// metadataOf reads the form into client metadata.
func metadataOf(f url.Values) clients.Metadata {
	lines := func(s string) []string { return strings.Fields(s) }
	return clients.Metadata{
		Name: strings.TrimSpace(f.Get("client_name")), RedirectURIs: lines(f.Get("redirect_uris")),
		PostLogoutRedirectURIs: lines(f.Get("post_logout_redirect_uris")), GrantTypes: f["grant_types"],
		AuthMethod: f.Get("token_endpoint_auth_method"), Scopes: lines(f.Get("scopes")),
		BackchannelLogoutURI: strings.TrimSpace(f.Get("backchannel_logout_uri")),
	}
}

func (p *Pages) clientNew(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	return p.renderClientForm(c, s, roles, lang, http.StatusOK, p.clientForm(lang, p.csrf(s), "/admin/clients", clients.Metadata{}), "")
}

func (p *Pages) renderClientForm(c echo.Context, s *session, roles []string, lang string, status int, f form, id string) error {
	f.finish()
	title := "pg_con_client_new"
	if id != "" {
		title = "pg_con_client_edit"
	}
	return p.render(c, status, "pg_con_client", struct {
		frame
		Form     form
		ClientID string
	}{p.consoleFrame(c, s, roles, lang, title), f, id})
}

// clientFailed shows the form again with the service's field errors, or
// fails the page for anything else.
func (p *Pages) clientFailed(c echo.Context, s *session, roles []string, lang string, f form, id string, err error) error {
	fes := clients.FieldErrors(err)
	if len(fes) == 0 {
		var ro *clients.ReadOnlyError
		if errors.As(err, &ro) {
			return p.fail(c, http.StatusConflict, "pg_con_err_read_only", nil)
		}
		if errors.Is(err, store.ErrConflict) {
			return p.fail(c, http.StatusConflict, "pg_con_err_conflict", nil)
		}
		return p.storeFail(c, err)
	}
	for _, fe := range fes {
		name, _, _ := strings.Cut(fe.Field, "[")
		if name == "client_id" || name == "response_types" || name == "application_type" {
			name = "client_name"
		}
		f.setError(name, fe.Description)
	}
	return p.renderClientForm(c, s, roles, lang, http.StatusBadRequest, f, id)
}

func (p *Pages) clientCreate(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	in, _ := c.FormParams()
	m := metadataOf(in)
	f := p.clientForm(lang, p.csrf(s), "/admin/clients", m)
	cl, secret, err := p.o.Clients.Create(c.Request().Context(), m, clients.CreateOptions{By: clients.Admin})
	if err != nil {
		return p.clientFailed(c, s, roles, lang, f, "", err)
	}
	p.staffRecord(c, s, audit.Event{Action: "clients.create", Principal: cl.ID,
		After: map[string]any{"name": cl.Name, "redirect_uris": cl.RedirectURIs, "grant_types": cl.GrantTypes, "scopes": cl.Scopes}})
	return p.showSecret(c, s, roles, lang, cl.ID, cl.Name, secret)
}

// showSecret shows a client's new secret this once (only its hash is kept).
func (p *Pages) showSecret(c echo.Context, s *session, roles []string, lang, id, name, secret string) error {
	return p.render(c, http.StatusOK, "pg_con_secret", struct {
		frame
		ClientID, ClientName, Secret string
	}{p.consoleFrame(c, s, roles, lang, "pg_con_secret_title"), id, name, secret})
}

func (p *Pages) clientEdit(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	id := c.Param("client")
	cl, err := p.o.Clients.Get(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return p.fail(c, http.StatusNotFound, "pg_con_err_no_client", nil)
	}
	if err != nil {
		return p.storeFail(c, err)
	}
	if cl.Source == store.SourceConfig {
		return p.fail(c, http.StatusConflict, "pg_con_err_read_only", nil)
	}
	f := p.clientForm(lang, p.csrf(s), "/admin/clients/"+url.PathEscape(id), clients.MetadataOf(cl))
	return p.renderClientForm(c, s, roles, lang, http.StatusOK, f, id)
}

func (p *Pages) clientUpdate(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	id := c.Param("client")
	in, _ := c.FormParams()
	m := metadataOf(in)
	f := p.clientForm(lang, p.csrf(s), "/admin/clients/"+url.PathEscape(id), m)
	before, err := p.o.Clients.Get(c.Request().Context(), id)
	if err != nil {
		return p.clientFailed(c, s, roles, lang, f, id, err)
	}
	old := clients.MetadataOf(before)
	m.ApplicationType, m.Connectors = old.ApplicationType, old.Connectors
	m.AccessTokenLifetime, m.IDTokenLifetime, m.RefreshTokenLifetime = old.AccessTokenLifetime, old.IDTokenLifetime, old.RefreshTokenLifetime
	cl, secret, err := p.o.Clients.Update(c.Request().Context(), id, m, clients.Admin)
	if err != nil {
		return p.clientFailed(c, s, roles, lang, f, id, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "clients.update", Principal: id,
		Before: map[string]any{"name": before.Name, "redirect_uris": before.RedirectURIs, "grant_types": before.GrantTypes},
		After:  map[string]any{"name": cl.Name, "redirect_uris": cl.RedirectURIs, "grant_types": cl.GrantTypes}})
	if secret != "" {
		return p.showSecret(c, s, roles, lang, cl.ID, cl.Name, secret)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/clients?done=updated")
}

func (p *Pages) clientRotate(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	id := c.Param("client")
	secret, err := p.o.Clients.RotateSecret(c.Request().Context(), id)
	switch {
	case errors.Is(err, clients.ErrPublicClient), errors.Is(err, clients.ErrKeyClient):
		return p.fail(c, http.StatusConflict, "pg_con_err_public", nil)
	case err != nil:
		return p.clientFailed(c, s, roles, lang, form{}, id, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "clients.rotate_secret", Principal: id})
	cl, err := p.o.Clients.Get(c.Request().Context(), id)
	if err != nil {
		return p.storeFail(c, err)
	}
	return p.showSecret(c, s, roles, lang, id, cl.Name, secret)
}

func (p *Pages) clientDelete(c echo.Context, s *session, roles []string) error {
	id := c.Param("client")
	if c.FormValue("confirm") != id {
		return p.fail(c, http.StatusBadRequest, "pg_con_err_confirm", nil)
	}
	if err := p.o.Clients.Delete(c.Request().Context(), id); err != nil {
		return p.clientFailed(c, s, roles, p.lang(c), form{}, id, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "clients.delete", Principal: id})
	return c.Redirect(http.StatusSeeOther, "/admin/clients?done=deleted")
}

// clientStatus disables or enables a stored client.
func (p *Pages) clientStatus(c echo.Context, s *session, roles []string) error {
	id, disable := c.Param("client"), c.FormValue("status") == "disabled"
	if err := p.o.Clients.SetDisabled(c.Request().Context(), id, disable); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return p.fail(c, http.StatusNotFound, "pg_con_err_no_client", nil)
		}
		return p.clientFailed(c, s, roles, p.lang(c), form{}, id, err)
	}
	action, done := "clients.enable", "enabled"
	if disable {
		action, done = "clients.disable", "disabled"
	}
	p.staffRecord(c, s, audit.Event{Action: action, Principal: id})
	return c.Redirect(http.StatusSeeOther, "/admin/clients?done=client_"+done)
}
