package admin

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/bulkimport"
)

// maxImportBytes bounds one import request's CSV (about 200,000 agent
// rows); larger files go through gjjid import or in parts.
const maxImportBytes = 32 << 20

// importTime is how long one import request may read and answer: rows
// with initial passwords are hashed with argon2id, which takes its time
// on purpose.
const importTime = 30 * time.Minute

type rejectionView struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Problem string `json:"problem"`
}

type importView struct {
	Kind       string          `json:"kind"`
	Rows       int             `json:"rows"`
	Created    int             `json:"created"`
	Existing   int             `json:"existing"`
	Duplicates int             `json:"duplicates"`
	Rejected   []rejectionView `json:"rejected"`
}

// importCSV is POST /admin/v1/import/{units|persons|agents} with a CSV body
// (the columns of gjjid import): the same import, through the same
// accounts service and rules, one transaction per row on PostgreSQL. The
// answer lists every rejected row by line and field; the import as a whole
// is one audit event with its counts.
func (a *API) importCSV(c echo.Context) error {
	kind := c.Param("kind")
	if !slices.Contains(bulkimport.Kinds, kind) {
		return a.fail(c, notFound("import kind "+kind+" (want one of "+strings.Join(bulkimport.Kinds, ", ")+")"))
	}
	if a.o.Import == nil {
		return a.fail(c, &apiError{Status: http.StatusNotImplemented, Code: "not_supported", Description: "this broker has no importer"})
	}
	if ct := c.Request().Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		return a.fail(c, &apiError{Status: http.StatusUnsupportedMediaType, Code: "invalid_request",
			Description: "the body must be a CSV file (Content-Type: text/csv; charset=utf-8)"})
	}
	rc := http.NewResponseController(c.Response())
	deadline := time.Now().Add(importTime)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxImportBytes)
	res, err := a.o.Import.Import(c.Request().Context(), kind, body)
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return a.fail(c, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request",
				Description: "the CSV is larger than 32 MiB: split it, or use gjjid import"})
		case errors.Is(err, bulkimport.ErrFile):
			return a.fail(c, badRequest("", "%s", strings.TrimPrefix(err.Error(), "import "+kind+": ")))
		}
		return a.fail(c, err)
	}
	out := importView{Kind: kind, Rows: res.Rows, Created: res.Created, Existing: res.Existing, Duplicates: res.Duplicates,
		Rejected: make([]rejectionView, len(res.Rejected))}
	for i, r := range res.Rejected {
		out.Rejected[i] = rejectionView{Line: r.Line, Field: r.Field, Problem: r.Problem}
	}
	a.record(c, auditImport(out))
	return c.JSON(http.StatusOK, out)
}

// auditImport is the one audit event of an import: its counts and the
// lines rejected (their problems name fields, never the values).
func auditImport(v importView) audit.Event {
	lines := make([]int, len(v.Rejected))
	for i, r := range v.Rejected {
		lines[i] = r.Line
	}
	return audit.Event{Action: "import." + v.Kind, After: map[string]any{"rows": v.Rows, "created": v.Created,
		"existing": v.Existing, "duplicates": v.Duplicates, "rejected_lines": lines}}
}
