package pages

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors/ids"
)

// The console's audit trail: filters by time range, principal, staff
// person, type prefix and outcome, posted (a staff person is given by ID
// number, which never goes into a URL); paged; exported as CSV. Events
// are stored masked, so the page and the file show them as the API does.
func (p *Pages) registerConsoleAudit(e *echo.Echo) {
	e.GET("/admin/audit", p.consoleView(staff.AreaAudit, p.auditPage))
	e.POST("/admin/audit", p.consoleAction(staff.AreaAudit, p.auditPage))
	e.POST("/admin/audit/export", p.consoleAction(staff.AreaAudit, p.auditExport))
}

// auditPageSize is how many events a page shows; maxAuditExport bounds a
// CSV export.
const (
	auditPageSize  = 50
	maxAuditExport = 10000
)

// auditFilter is the page's filter, as posted.
type auditFilter struct {
	Since, Until, Principal, Staff, Type, Outcome string
	staffActor                                    string // "person:<id>" of Staff
	query                                         audit.Query
}

func (p *Pages) readAuditFilter(c echo.Context) (auditFilter, string) {
	f := auditFilter{Since: strings.TrimSpace(c.FormValue("since")), Until: strings.TrimSpace(c.FormValue("until")),
		Principal: strings.TrimSpace(c.FormValue("principal")), Staff: strings.TrimSpace(c.FormValue("staff")),
		Type: strings.TrimSpace(c.FormValue("type")), Outcome: c.FormValue("outcome")}
	lang := p.lang(c)
	for _, t := range []struct {
		v   string
		dst *time.Time
	}{{f.Since, &f.query.Since}, {f.Until, &f.query.Until}} {
		if t.v == "" {
			continue
		}
		v, err := time.ParseInLocation("2006-01-02T15:04", t.v, chinaTime)
		if err != nil {
			if v, err = time.ParseInLocation("2006-01-02", t.v, chinaTime); err != nil {
				return f, web.Text(lang, "pg_con_err_time")
			}
		}
		*t.dst = v
	}
	f.query.Principal, f.query.Type = f.Principal, f.Type
	if f.Staff != "" {
		n, err := ids.ResidentID(f.Staff)
		if err != nil {
			return f, web.Text(lang, "pg_con_err_no_person")
		}
		per, err := p.o.Accounts.FindByIDNumber(c.Request().Context(), accounts.IDTypeResident, n)
		if err != nil {
			return f, web.Text(lang, "pg_con_err_no_person")
		}
		f.staffActor = "person:" + per.ID
	}
	return f, ""
}

func (f auditFilter) keeps(e audit.Event) bool {
	return (f.Outcome == "" || e.Outcome == f.Outcome) && (f.staffActor == "" || e.Actor == f.staffActor)
}

// collect reads events after cursor that pass the filter, up to limit;
// next is where the following page starts ("" at the end).
func (p *Pages) collectAudit(c echo.Context, f auditFilter, cursor string, limit int) ([]audit.Event, string, error) {
	q := f.query
	q.After = cursor
	var out []audit.Event
	for {
		q.Limit = min(limit-len(out), 1000)
		events, next, err := p.o.Audit.Query(c.Request().Context(), q)
		if err != nil {
			return nil, "", err
		}
		for _, e := range events {
			if f.keeps(e) {
				out = append(out, e)
			}
		}
		if next == "" || len(out) >= limit {
			return out, next, nil
		}
		q.After = next
	}
}

type auditRow struct {
	Time, Type, Action, Outcome, Reason, Actor, Principal, Unit, Client, Connector, IP string
}

func rowOf(e audit.Event) auditRow {
	return auditRow{Time: e.Time.In(chinaTime).Format("2006-01-02 15:04:05"), Type: e.Type, Action: e.Action, Outcome: e.Outcome,
		Reason: e.Reason, Actor: e.Actor, Principal: e.Principal, Unit: e.Unit, Client: e.Client, Connector: e.Connector, IP: e.IP}
}

func (p *Pages) auditPage(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	f, problem := p.readAuditFilter(c)
	var rows []auditRow
	next := ""
	if problem == "" {
		events, n, err := p.collectAudit(c, f, c.FormValue("cursor"), auditPageSize)
		if err != nil {
			return p.storeFail(c, err)
		}
		next = n
		for _, e := range events {
			rows = append(rows, rowOf(e))
		}
	}
	fr := p.consoleFrame(c, s, roles, lang, "pg_con_audit")
	fr.Error = problem
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	return p.render(c, status, "pg_con_audit", struct {
		frame
		Filter   auditFilter
		Rows     []auditRow
		Next     string
		Outcomes []string
	}{fr, f, rows, next, []string{audit.Success, audit.Failure, audit.Denied}})
}

// auditColumns are the CSV's columns, named as in the audit API's JSON.
var auditColumns = []string{"id", "time", "type", "action", "outcome", "reason", "actor", "actor_unit", "principal", "unit", "connector", "client", "subject", "ip"}

func (p *Pages) auditExport(c echo.Context, s *session, roles []string) error {
	f, problem := p.readAuditFilter(c)
	if problem != "" {
		return p.fail(c, http.StatusBadRequest, "pg_con_err_time", nil)
	}
	events, _, err := p.collectAudit(c, f, "", maxAuditExport)
	if err != nil {
		return p.storeFail(c, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "audit.export", After: map[string]any{"rows": len(events), "type": f.Type, "outcome": f.Outcome}})
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="gjjid-audit.csv"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(auditColumns)
	for _, e := range events {
		_ = w.Write([]string{e.ID, e.Time.UTC().Format(time.RFC3339Nano), e.Type, e.Action, e.Outcome, e.Reason, e.Actor, e.ActorUnit,
			e.Principal, e.Unit, e.Connector, e.Client, e.Subject, e.IP})
	}
	w.Flush()
	return w.Error()
}
