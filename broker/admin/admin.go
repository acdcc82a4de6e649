// Package admin serves the JSON administration API (/admin/v1) and the
// unit self-service API (/api/v1/unit). Both authenticate callers by an
// access token the broker itself issued: administrators by a
// client_credentials token with scope gjjid:admin, unit administrators by
// their own login token. Every change and every refused attempt is
// audited; errors are {"error", "error_description", "field"}.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/bulkimport"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/webtx"
)

// ScopeAdmin is the scope an administrator client's token must carry.
const ScopeAdmin = "gjjid:admin"

// TokenVerifier checks a request's Bearer or DPoP access token
// (provider.Provider does).
type TokenVerifier interface {
	VerifyRequestToken(ctx context.Context, r *http.Request) (*provider.AccessToken, error)
}

// KeyRotator rotates the signing keys (keys.Manager does).
type KeyRotator interface {
	RotateNow(ctx context.Context) error
}

// Store is what the API writes in the store directly: revocation marks.
// Clients are read through Options.Clients (the configuration file's over
// the stored ones).
type Store interface {
	store.Revocations
}

// Options wire the API.
type Options struct {
	Accounts *accounts.Service
	Audit    *audit.Log
	Tokens   TokenVerifier
	Clients  *clients.Service
	Keys     KeyRotator
	Store    Store
	// RevokeFor is how long a principal's revocation mark must live: the
	// longest lifetime of anything issued before it (refresh tokens, SSO
	// sessions).
	RevokeFor time.Duration
	// Logout tells relying parties that a revoked principal's sessions
	// ended (logout.Service); nil: none.
	Logout Logout
	// Staff answers the roles of persons whose tokens carry a role scope
	// (staff.go); nil: only client_credentials tokens are admitted.
	Staff *staff.Service
	// Import loads CSV files of units, persons and agents (POST
	// /admin/v1/import/{kind}); nil: the route answers 501.
	Import *bulkimport.Importer
	// Tx makes each change and its audit events one transaction (oneTx);
	// nil: written one by one (stores without transactions).
	Tx webtx.Tx
	// StaffACR is the assurance level a staff token's login must have
	// reached, by its place in ACRLevels (weakest first); "" or unknown:
	// no requirement.
	StaffACR  string
	ACRLevels []string
	Logger    *slog.Logger
	Now       func() time.Time
}

// API is the admin and unit self-service API.
type API struct {
	o   Options
	log *slog.Logger
}

// New returns the API.
func New(o Options) *API {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &API{o: o, log: o.Logger}
}

// Register mounts /admin/v1 and /api/v1/unit on e.
func (a *API) Register(e *echo.Echo) {
	g := e.Group("/admin/v1", a.noStore, a.requireAdmin, a.oneTx)
	a.registerClients(g)
	g.POST("/units", a.createUnit)
	g.GET("/units", a.listUnits)
	g.GET("/units/:unit", a.getUnit)
	g.PATCH("/units/:unit", a.updateUnit)
	g.POST("/units/:unit/agents", a.addAgent)
	g.GET("/units/:unit/agents", a.listAgents)
	g.PATCH("/units/:unit/agents/:person", a.updateAgent)
	g.DELETE("/units/:unit/agents/:person", a.removeAgent)
	g.POST("/persons", a.createPerson)
	g.GET("/persons", a.listPersons)
	g.POST("/persons/lookup", a.lookupPerson)
	g.GET("/persons/:person", a.getPerson)
	g.PATCH("/persons/:person", a.updatePerson)
	g.PUT("/persons/:person/password", a.setPassword)
	g.POST("/links", a.createLink)
	g.GET("/links", a.listLinks)
	g.DELETE("/links", a.deleteLink)
	g.POST("/principals/:principal/revoke", a.revokePrincipal)
	g.POST("/keys/rotate", a.rotateKeys)
	g.GET("/audit", a.queryAudit)
	g.POST("/import/:kind", a.importCSV)
	a.registerStaff(g)

	u := e.Group("/api/v1/unit", a.noStore, a.requireUnitAdmin, a.oneTx)
	u.GET("/agents", a.unitListAgents)
	u.POST("/agents", a.unitCreateAgent)
	u.POST("/agents/:person/disable", a.unitSetStatus(accounts.StatusDisabled))
	u.POST("/agents/:person/enable", a.unitSetStatus(accounts.StatusActive))
	u.PUT("/agents/:person/password", a.unitResetPassword)
}

// apiError is the error body of both APIs.
type apiError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	Field       string `json:"field,omitempty"`
	Reason      string `json:"-"` // a stable code for pages (UnitSelfService)
}

func (e *apiError) Error() string { return e.Code + ": " + e.Description }

func badRequest(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Description: fmt.Sprintf(format, args...), Field: field}
}

func notFound(what string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Description: what + " not found"}
}

// fail answers err: validation errors 400 with their field, conflicts 409,
// unknown records 404, store outages 503, anything else 500 (logged).
func (a *API) fail(c echo.Context, err error) error {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case len(clients.FieldErrors(err)) > 0:
		fe := clients.FieldErrors(err)[0]
		ae = &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Description: fe.Error(), Field: fe.Field}
	case errors.Is(err, clients.ErrReadOnly), errors.Is(err, clients.ErrStaleConfig), errors.Is(err, clients.ErrPublicClient), errors.Is(err, clients.ErrKeyClient):
		ae = &apiError{Status: http.StatusConflict, Code: "conflict", Description: strings.TrimPrefix(err.Error(), "clients: ")}
	case errors.Is(err, accounts.ErrInvalid):
		field, _ := accounts.Field(err)
		ae = &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Description: invalidText(err), Field: field}
	case errors.Is(err, store.ErrConflict):
		ae = &apiError{Status: http.StatusConflict, Code: "conflict", Description: "already exists"}
	case errors.Is(err, store.ErrNotFound):
		ae = notFound("record")
	case errors.Is(err, store.ErrUnavailable):
		ae = &apiError{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: "the store is unreachable; retry later"}
	default:
		a.log.ErrorContext(c.Request().Context(), "admin api", "path", c.Path(), "err", err)
		ae = &apiError{Status: http.StatusInternalServerError, Code: "server_error", Description: "internal error"}
	}
	if ae.Status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "5")
	}
	return c.JSON(ae.Status, ae)
}

// invalidText is the validation message without the "accounts: op:"
// prefixes of the wrapped error chain.
func invalidText(err error) string {
	var fe *accounts.FieldError
	if errors.As(err, &fe) {
		return fe.Error()
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": agent password"); i >= 0 {
		return s[i+2:]
	}
	return s
}

// decode reads a JSON body strictly: unknown fields and trailing data are
// errors naming the problem.
func decode(c echo.Context, v any) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, 64<<10)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		switch {
		case errors.As(err, &ute):
			return badRequest(ute.Field, "%s: must be a JSON %s", ute.Field, ute.Type.Kind())
		case errors.Is(err, io.EOF):
			return badRequest("", "a JSON body is required")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return badRequest(f, "unknown field %q", f)
		}
		return badRequest("", "malformed JSON: %v", err)
	}
	if dec.More() {
		return badRequest("", "trailing data after the JSON body")
	}
	return nil
}

// page is the shape of every list answer.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// paging reads ?cursor= and ?limit= (1–500, default 100).
func paging(c echo.Context) (cursor string, limit int, err error) {
	cursor = c.QueryParam("cursor")
	limit = 100
	if s := c.QueryParam("limit"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > 500 {
			return "", 0, badRequest("limit", "limit must be an integer from 1 to 500")
		}
		limit = n
	}
	return cursor, limit, nil
}

func (a *API) noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// caller is who made an authenticated request.
type caller struct {
	token *provider.AccessToken
	actor string   // "client:<id>" or "person:<id>"
	unit  string   // self-service: the unit the caller administers
	roles []string // staff: the roles that admitted the call
}

const callerKey = "gjjid.caller"

func callerOf(c echo.Context) *caller { cl, _ := c.Get(callerKey).(*caller); return cl }

// bearer verifies the request's access token: `Authorization: Bearer`
// (RFC 6750 §2.1) or a DPoP-bound token with its proof (RFC 9449 §7).
func (a *API) bearer(c echo.Context) (*provider.AccessToken, error) {
	r := c.Request()
	t, err := a.o.Tokens.VerifyRequestToken(r.Context(), r)
	switch {
	case errors.Is(err, provider.ErrNoToken):
		return nil, a.challenge(c, http.StatusUnauthorized, "", "a bearer access token is required")
	case errors.Is(err, dpop.ErrInvalidProof):
		return nil, a.dpopChallenge(c, dpop.CodeInvalidProof, "the DPoP proof is invalid for this request and token")
	case errors.Is(err, provider.ErrInvalidToken):
		return nil, a.challenge(c, http.StatusUnauthorized, "invalid_token", "the access token is invalid, expired or revoked")
	case err != nil:
		return nil, a.fail(c, err)
	}
	return t, nil
}

// dpopChallenge refuses a DPoP proof (RFC 9449 §7.1).
func (a *API) dpopChallenge(c echo.Context, code, desc string) error {
	c.Response().Header().Set("WWW-Authenticate", provider.DPoPChallenge(code, desc))
	_ = c.JSON(http.StatusUnauthorized, &apiError{Code: code, Description: desc})
	return errAnswered
}

// errAnswered marks a request already answered by a middleware.
var errAnswered = errors.New("answered")

// challenge answers 401/403 with WWW-Authenticate (RFC 6750 §3).
func (a *API) challenge(c echo.Context, status int, code, desc string) error {
	v := `Bearer realm="gjjid"`
	if code != "" {
		v += fmt.Sprintf(`, error="%s", error_description="%s"`, code, desc)
	}
	c.Response().Header().Set("WWW-Authenticate", v)
	if code == "" {
		code = "invalid_token"
	}
	_ = c.JSON(status, &apiError{Code: code, Description: desc})
	return errAnswered
}

// requireAdmin admits tokens with scope gjjid:admin whose client still
// holds that scope (a client an administrator demoted loses access at
// once, not when its token expires), and staff tokens whose person holds,
// at the time of the call, a role that reaches the route (staff.go).
func (a *API) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t, err := a.bearer(c)
		if err != nil {
			return swallow(err)
		}
		if isStaffToken(t) {
			return a.admitStaff(c, t, next)
		}
		if !t.HasScope(ScopeAdmin) || t.Subject != t.ClientID {
			a.denied(c, "client:"+t.ClientID, "", "insufficient_scope")
			return swallow(a.challenge(c, http.StatusForbidden, "insufficient_scope", "scope "+ScopeAdmin+" from a client_credentials token is required"))
		}
		cl, err := a.o.Clients.Served(c.Request().Context(), t.ClientID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return a.fail(c, err)
		}
		if cl == nil || !slices.Contains(cl.Scopes, ScopeAdmin) {
			a.denied(c, "client:"+t.ClientID, "", "client_not_admin")
			return swallow(a.challenge(c, http.StatusForbidden, "insufficient_scope", "the client no longer holds "+ScopeAdmin))
		}
		c.Set(callerKey, &caller{token: t, actor: "client:" + t.ClientID})
		return next(c)
	}
}

func swallow(err error) error {
	if errors.Is(err, errAnswered) {
		return nil
	}
	return err
}

// record audits a change made by the caller. A failed audit write is
// logged; the change already happened and the JSON log mirror has it.
func (a *API) record(c echo.Context, e audit.Event) {
	cl := callerOf(c)
	if cl != nil {
		e.Actor, e.ActorUnit = cl.actor, cl.unit
		if cl.token != nil {
			e.Client = cl.token.ClientID
		}
	}
	if e.Type == "" {
		e.Type = audit.AdminChange
		if cl != nil && cl.unit != "" {
			e.Type = audit.UnitChange
		}
	}
	e.IP, e.UserAgent = c.RealIP(), c.Request().UserAgent()
	if err := a.o.Audit.Record(c.Request().Context(), e); err != nil {
		a.log.ErrorContext(c.Request().Context(), "audit write failed", "type", e.Type, "action", e.Action, "err", err)
	}
}

// denied audits a refused call.
func (a *API) denied(c echo.Context, actor, unit, reason string) {
	e := audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: reason, Actor: actor, ActorUnit: unit,
		Action: c.Request().Method + " " + c.Path(), IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
	if err := a.o.Audit.Record(c.Request().Context(), e); err != nil {
		a.log.ErrorContext(c.Request().Context(), "audit write failed", "type", e.Type, "err", err)
	}
}
