package pages

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// Certificate bindings at the counter (在柜台绑定CA证书): the certificate
// is uploaded (a USB key's .cer export, DER or PEM) or pasted, checked by
// the certificate connector (parses, valid now, chains to a configured
// CA, names a unit), shown, and bound only when confirmed; bound to the
// unit it names or to an agent of that unit.
func (p *Pages) registerConsoleCerts(e *echo.Echo) {
	e.GET("/admin/certs", p.consoleView(staff.AreaAccounts, p.certsPage))
	e.POST("/admin/certs/search", p.consoleAction(staff.AreaAccounts, p.certsSearch))
	e.POST("/admin/certs/inspect", p.consoleAction(staff.AreaAccounts, p.certInspect))
	e.POST("/admin/certs/bind", p.consoleAction(staff.AreaAccounts, p.certBind))
	e.POST("/admin/certs/unbind", p.consoleAction(staff.AreaAccounts, p.certUnbind))
}

// maxCertUpload bounds an uploaded or pasted certificate.
const maxCertUpload = 64 << 10

type bindingRow struct {
	Connector, Subject, Label, Kind, Unit, Person, Created string
}

func (p *Pages) certInspector() (string, connectors.CertificateInspector) {
	for _, cn := range p.o.Certificates {
		if ci, ok := cn.(connectors.CertificateInspector); ok {
			return cn.ID(), ci
		}
	}
	return "", nil
}

func (p *Pages) certsPage(c echo.Context, s *session, roles []string) error {
	return p.renderCerts(c, s, roles, http.StatusOK, "", nil, false)
}

func (p *Pages) renderCerts(c echo.Context, s *session, roles []string, status int, errMsg string, rows []bindingRow, searched bool) error {
	lang := p.lang(c)
	f := p.consoleFrame(c, s, roles, lang, "pg_con_certs")
	f.Error = errMsg
	return p.render(c, status, "pg_con_certs", struct {
		frame
		Rows     []bindingRow
		Searched bool
	}{f, rows, searched})
}

// certsSearch lists the certificate bindings of a unit (credit code) or
// of a person (resident ID number), posted.
func (p *Pages) certsSearch(c echo.Context, s *session, roles []string) error {
	lang, ctx := p.lang(c), c.Request().Context()
	q := strings.TrimSpace(c.FormValue("q"))
	principal := ""
	if code, err := ids.CreditCode(q); err == nil {
		principal = code
	} else if n, err := ids.ResidentID(q); err == nil {
		if per, err := p.o.Accounts.FindByIDNumber(ctx, accounts.IDTypeResident, n); err == nil {
			principal = per.ID
		}
	}
	if principal == "" {
		return p.renderCerts(c, s, roles, http.StatusOK, "", nil, true)
	}
	links, err := p.o.Accounts.LinksOf(ctx, principal)
	if err != nil {
		return p.storeFail(c, err)
	}
	var rows []bindingRow
	for _, l := range links {
		if !p.isCertConnector(l.Connector) {
			continue
		}
		rows = append(rows, p.bindingRow(c, lang, l))
	}
	return p.renderCerts(c, s, roles, http.StatusOK, "", rows, true)
}

func (p *Pages) bindingRow(c echo.Context, lang string, l *store.Link) bindingRow {
	r := bindingRow{Connector: l.Connector, Subject: l.Subject, Label: l.Label, Kind: web.Text(lang, "pg_con_kind_"+l.Kind),
		Unit: l.UnitID, Created: l.CreatedAt.In(chinaTime).Format("2006-01-02 15:04")}
	if l.PersonID != "" {
		if per, err := p.o.Accounts.GetPerson(c.Request().Context(), l.PersonID); err == nil {
			r.Person = per.Name + " " + per.IDMasked
		}
	}
	return r
}

// readCertificate is the uploaded file, else the pasted text.
func readCertificate(c echo.Context) ([]byte, error) {
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, maxCertUpload))
	}
	pasted := c.FormValue("pem")
	if len(pasted) > maxCertUpload {
		pasted = pasted[:maxCertUpload]
	}
	return []byte(pasted), nil
}

// certInspect shows what the certificate says before anything is bound.
func (p *Pages) certInspect(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	connID, ci := p.certInspector()
	if ci == nil {
		return p.renderCerts(c, s, roles, http.StatusConflict, web.Text(lang, "pg_con_err_no_cert_connector"), nil, false)
	}
	raw, err := readCertificate(c)
	if err != nil || len(strings.TrimSpace(string(raw))) == 0 {
		return p.renderCerts(c, s, roles, http.StatusBadRequest, web.Text(lang, "pg_con_err_cert_missing"), nil, false)
	}
	info, err := ci.InspectCertificate(c.Request().Context(), raw)
	if err != nil {
		return p.renderCerts(c, s, roles, http.StatusBadRequest, web.Text(lang, "pg_con_err_cert_bad")+" "+err.Error(), nil, false)
	}
	if info.UnitID == "" {
		return p.renderCerts(c, s, roles, http.StatusBadRequest, web.Text(lang, "pg_con_err_cert_no_unit"), nil, false)
	}
	unitName := ""
	if u, err := p.o.Accounts.GetUnit(c.Request().Context(), info.UnitID); err == nil {
		unitName = u.Name
	} else if errors.Is(err, store.ErrNotFound) {
		return p.renderCerts(c, s, roles, http.StatusBadRequest, web.Text(lang, "pg_con_err_cert_unknown_unit")+" "+info.UnitID, nil, false)
	}
	f := p.consoleFrame(c, s, roles, lang, "pg_con_certs")
	return p.render(c, http.StatusOK, "pg_con_cert_confirm", struct {
		frame
		Info        connectors.CertificateInfo
		NotBefore   string
		NotAfter    string
		UnitName    string
		Connector   string
		Certificate string
	}{f, info, info.NotBefore.In(chinaTime).Format("2006-01-02 15:04"), info.NotAfter.In(chinaTime).Format("2006-01-02 15:04"),
		unitName, connID, base64.StdEncoding.EncodeToString(raw)})
}

// certBind binds the confirmed certificate, checked again (the page's
// hidden copy is only what was shown).
func (p *Pages) certBind(c echo.Context, s *session, roles []string) error {
	lang, ctx := p.lang(c), c.Request().Context()
	connID, ci := p.certInspector()
	raw, err := base64.StdEncoding.DecodeString(c.FormValue("certificate"))
	if ci == nil || err != nil || len(raw) == 0 {
		return p.renderCerts(c, s, roles, http.StatusBadRequest, web.Text(lang, "pg_con_err_cert_missing"), nil, false)
	}
	info, err := ci.InspectCertificate(ctx, raw)
	if err != nil || info.UnitID == "" {
		return p.renderCerts(c, s, roles, http.StatusBadRequest, web.Text(lang, "pg_con_err_cert_bad"), nil, false)
	}
	n := accounts.NewLink{Connector: connID, Subject: info.LinkSubject, Kind: store.LinkUnit, UnitID: info.UnitID,
		Label: certLabel(info.Subject, info), CreatedBy: actorOf(s)}
	if idn := strings.TrimSpace(c.FormValue("agent_id_number")); c.FormValue("kind") == store.LinkAgent {
		per, err := p.o.Accounts.FindByIDNumber(ctx, accounts.IDTypeResident, idn)
		if err != nil {
			return p.renderCerts(c, s, roles, http.StatusBadRequest, web.Text(lang, "pg_con_err_no_person"), nil, false)
		}
		n.Kind, n.PersonID = store.LinkAgent, per.ID
	}
	l, err := p.o.Accounts.CreateLink(ctx, n)
	switch {
	case errors.Is(err, store.ErrConflict):
		msg := web.Text(lang, "pg_con_err_cert_bound")
		if old, gerr := p.o.Accounts.GetLink(ctx, connID, info.LinkSubject); gerr == nil {
			row := p.bindingRow(c, lang, old)
			msg += " " + row.Kind + " " + row.Unit + " " + row.Person + " (" + row.Created + ")"
		}
		p.refuse(c, s, "duplicate_binding")
		return p.renderCerts(c, s, roles, http.StatusConflict, msg, nil, false)
	case err != nil:
		var fe *accounts.FieldError
		if errors.As(err, &fe) {
			return p.renderCerts(c, s, roles, http.StatusBadRequest, fe.Problem, nil, false)
		}
		return p.storeFail(c, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "links.create", Principal: l.UnitID, Unit: l.UnitID,
		After: map[string]any{"connector": l.Connector, "subject": l.Subject, "kind": l.Kind, "person_id": l.PersonID, "label": l.Label}})
	return c.Redirect(http.StatusSeeOther, "/admin/certs?done=bound")
}

func (p *Pages) certUnbind(c echo.Context, s *session, roles []string) error {
	connector, subject := c.FormValue("connector"), c.FormValue("subject")
	if !p.isCertConnector(connector) {
		return p.fail(c, http.StatusBadRequest, "pg_con_err_no_record", nil)
	}
	l, err := p.o.Accounts.Unlink(c.Request().Context(), connector, subject)
	if errors.Is(err, store.ErrNotFound) {
		return p.fail(c, http.StatusNotFound, "pg_con_err_no_record", nil)
	}
	if err != nil {
		return p.storeFail(c, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "links.delete", Principal: l.UnitID, Unit: l.UnitID,
		Before: map[string]any{"connector": l.Connector, "subject": l.Subject, "kind": l.Kind, "person_id": l.PersonID}})
	return c.Redirect(http.StatusSeeOther, "/admin/certs?done=unbound")
}
