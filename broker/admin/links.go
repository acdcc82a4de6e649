package admin

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/ids"
)

// newLink links an upstream identity, or binds a CA certificate (by
// fingerprint, or issuer and serial) when Certificate is given instead of
// Subject.
type newLink struct {
	Connector   string            `json:"connector"`
	Subject     string            `json:"subject"`
	Certificate *accounts.CertRef `json:"certificate"`
	Kind        string            `json:"kind"`
	PersonID    string            `json:"person_id"`
	UnitID      string            `json:"unit_id"`
	Label       string            `json:"label"`
}

func (a *API) createLink(c echo.Context) error {
	var in newLink
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	subject := in.Subject
	if in.Certificate != nil {
		if subject != "" {
			return a.fail(c, badRequest("subject", "give subject or certificate, not both"))
		}
		s, err := in.Certificate.Subject()
		if err != nil {
			return a.fail(c, err)
		}
		subject = s
	}
	l, err := a.o.Accounts.CreateLink(c.Request().Context(), accounts.NewLink{
		Connector: in.Connector, Subject: subject, Kind: in.Kind, PersonID: in.PersonID, UnitID: normalizeUnit(in.UnitID),
		Label: in.Label, CreatedBy: callerOf(c).actor,
	})
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("person, unit or agent record"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Type: audit.LinkCreate, Action: "links.create", Principal: principalOfLink(l), Unit: l.UnitID,
		Connector: l.Connector, After: auditLink(l)})
	return c.JSON(http.StatusCreated, l)
}

func principalOfLink(l *store.Link) string {
	if l.PersonID != "" {
		return l.PersonID
	}
	return l.UnitID
}

// listLinks pages every link, or lists one principal's (?principal=).
func (a *API) listLinks(c echo.Context) error {
	ctx := c.Request().Context()
	cursor, limit, err := paging(c)
	if err != nil {
		return a.fail(c, err)
	}
	if p := c.QueryParam("principal"); p != "" {
		// A principal has a handful of links: read them all, page here.
		ls, err := a.o.Accounts.LinksOf(ctx, normalizeUnit(p))
		if err != nil {
			return a.fail(c, err)
		}
		ls = slices.DeleteFunc(ls, func(l *store.Link) bool { return cursor != "" && linkCursor(l) <= cursor })
		next := ""
		if len(ls) > limit {
			ls, next = ls[:limit], linkCursor(ls[limit-1])
		}
		return c.JSON(http.StatusOK, page[*store.Link]{Items: ls, NextCursor: next})
	}
	ls, next, err := a.o.Accounts.ListLinks(ctx, cursor, limit)
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, page[*store.Link]{Items: ls, NextCursor: next})
}

// linkCursor orders a principal's links as the store lists them: by
// connector, then subject.
func linkCursor(l *store.Link) string { return l.Connector + "\x00" + l.Subject }

// deleteLink unlinks ?connector=&subject= (subjects hold ':' and '/', so
// they travel as a query parameter, not a path segment).
func (a *API) deleteLink(c echo.Context) error {
	connector, subject := c.QueryParam("connector"), c.QueryParam("subject")
	if connector == "" || subject == "" {
		return a.fail(c, badRequest("subject", "connector and subject query parameters are required"))
	}
	l, err := a.o.Accounts.Unlink(c.Request().Context(), connector, subject)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("link"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Type: audit.LinkDelete, Action: "links.delete", Principal: principalOfLink(l), Unit: l.UnitID,
		Connector: l.Connector, Before: auditLink(l)})
	return c.NoContent(http.StatusNoContent)
}

// normalizeUnit upper-cases a valid credit code; anything else stays.
func normalizeUnit(s string) string {
	if code, err := ids.CreditCode(s); err == nil {
		return code
	}
	return s
}
