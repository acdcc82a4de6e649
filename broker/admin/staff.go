package admin

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/store"
)

// areaOf says which area of the role matrix an admin route belongs to,
// from its route pattern (c.Path()).
func areaOf(path string) staff.Area {
	rest := strings.TrimPrefix(path, "/admin/v1/")
	first, _, _ := strings.Cut(rest, "/")
	switch first {
	case "clients":
		return staff.AreaClients
	case "keys":
		return staff.AreaKeys
	case "staff":
		return staff.AreaStaff
	case "audit":
		return staff.AreaAudit
	default: // units, persons, links, principals
		return staff.AreaAccounts
	}
}

// isStaffToken reports whether t is a person's token carrying a role scope
// (a client_credentials token has the client as its subject).
func isStaffToken(t *provider.AccessToken) bool {
	return t.Subject != t.ClientID && slices.ContainsFunc(t.Scopes, staff.Valid)
}

// admitStaff checks a staff token against the roles its person holds at
// the time of the call: a role reaches the call only when the token
// carries its scope and the person still holds it.
func (a *API) admitStaff(c echo.Context, t *provider.AccessToken, next echo.HandlerFunc) error {
	actor := "person:" + t.Subject
	if a.o.Staff == nil {
		a.denied(c, actor, "", "staff_disabled")
		return swallow(a.challenge(c, http.StatusForbidden, "insufficient_scope", "staff tokens are not accepted here"))
	}
	if !a.strongEnough(t.ACR) {
		a.denied(c, actor, "", "insufficient_user_authentication")
		return swallow(a.challenge(c, http.StatusUnauthorized, "insufficient_user_authentication",
			"staff must sign in at "+a.o.StaffACR+" or stronger"))
	}
	held, err := a.o.Staff.Roles(c.Request().Context(), t.Subject)
	if err != nil {
		return a.fail(c, err)
	}
	var roles []string
	for _, r := range held {
		if t.HasScope(r) {
			roles = append(roles, r)
		}
	}
	area := areaOf(c.Path())
	if !staff.Allows(roles, area) {
		reason := "insufficient_scope"
		if len(roles) == 0 {
			reason = "role_revoked"
		}
		a.denied(c, actor, "", reason)
		return swallow(a.challenge(c, http.StatusForbidden, "insufficient_scope", "no role this token carries reaches "+string(area)))
	}
	c.Set(callerKey, &caller{token: t, actor: actor, roles: roles})
	return next(c)
}

// strongEnough reports whether a login at acr meets Options.StaffACR
// (RFC 9470: a weaker one is answered insufficient_user_authentication).
func (a *API) strongEnough(acr string) bool {
	need := slices.Index(a.o.ACRLevels, a.o.StaffACR)
	return need < 0 || slices.Index(a.o.ACRLevels, acr) >= need
}

// staffBody is the body of a grant or revocation.
type staffBody struct {
	Roles []string `json:"roles"`
}

// staffView is one staff member as the API shows it.
type staffView struct {
	PersonID string   `json:"person_id"`
	Name     string   `json:"name,omitempty"`
	Roles    []string `json:"roles"`
}

func (a *API) registerStaff(g *echo.Group) {
	g.GET("/staff", a.listStaff)
	g.POST("/staff/:person/grant", a.changeStaff(true))
	g.POST("/staff/:person/revoke", a.changeStaff(false))
}

func (a *API) listStaff(c echo.Context) error {
	ms, err := a.o.Staff.List(c.Request().Context())
	if err != nil {
		return a.fail(c, err)
	}
	out := make([]staffView, 0, len(ms))
	for _, m := range ms {
		v := staffView{PersonID: m.PersonID, Roles: m.Roles}
		if p, err := a.o.Accounts.GetPerson(c.Request().Context(), m.PersonID); err == nil {
			v.Name = p.Name
		}
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, page[staffView]{Items: out})
}

func (a *API) changeStaff(grant bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		var body staffBody
		if err := decode(c, &body); err != nil {
			return a.fail(c, err)
		}
		ctx, person := c.Request().Context(), c.Param("person")
		before, err := a.o.Staff.Roles(ctx, person)
		if err != nil {
			return a.fail(c, err)
		}
		change, action := a.o.Staff.Revoke, "staff.revoke"
		if grant {
			change, action = a.o.Staff.Grant, "staff.grant"
		}
		after, err := change(ctx, person, body.Roles)
		switch {
		case errors.Is(err, staff.ErrUnknownRole):
			return a.fail(c, badRequest("roles", "%s", strings.TrimPrefix(err.Error(), "staff: ")))
		case errors.Is(err, store.ErrNotFound):
			return a.fail(c, notFound("person"))
		case err != nil:
			return a.fail(c, err)
		}
		a.record(c, audit.Event{Action: action, Principal: person,
			Before: map[string]any{"roles": before}, After: map[string]any{"roles": after}})
		return c.JSON(http.StatusOK, staffView{PersonID: person, Roles: after})
	}
}
