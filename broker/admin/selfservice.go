package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
)

// requireUnitAdmin admits a person's login token acting for unit U whose
// agent record for U is active and has the unit_admin role now (not when
// the token was issued: a demoted admin loses access at once), and the
// unit's own login (a unit certificate of U).
func (a *API) requireUnitAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t, err := a.bearer(c)
		if err != nil {
			return swallow(err)
		}
		actor := "person:" + t.Subject
		if t.UnitID == "" {
			a.denied(c, actor, "", "no_unit")
			return swallow(a.challenge(c, http.StatusForbidden, "insufficient_scope", "the token does not act for a unit"))
		}
		if unit, ok := accounts.UnitOfSubject(t.Subject); ok && unit == t.UnitID {
			// The unit itself logged in (unit certificate): it manages its own agents.
			c.Set(callerKey, &caller{token: t, actor: "unit:" + unit, unit: unit})
			return next(c)
		}
		ag, err := a.o.Accounts.Agent(c.Request().Context(), t.Subject, t.UnitID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return a.fail(c, err)
		}
		if !accounts.HasRole(ag, accounts.RoleUnitAdmin) {
			a.denied(c, actor, t.UnitID, "not_unit_admin")
			return swallow(a.challenge(c, http.StatusForbidden, "insufficient_scope", "only the unit's administrators (unit_admin) may manage its agents"))
		}
		c.Set(callerKey, &caller{token: t, actor: actor, unit: t.UnitID})
		return next(c)
	}
}

func (a *API) unitListAgents(c echo.Context) error {
	return a.agentsOf(c, callerOf(c).unit)
}

type unitNewAgent struct {
	Name     string   `json:"name"`
	IDType   string   `json:"id_type"`
	IDNumber string   `json:"id_number"`
	Mobile   string   `json:"mobile"`
	Password string   `json:"password"`
	Roles    []string `json:"roles"`
}

// unitCreateAgent makes a person an agent of the caller's unit. A new
// person is created with the given mobile and initial password. A person
// the broker already knows (an agent of another unit) is added as they
// are: the name must match, and neither their mobile nor their password
// changes, since one unit must not take over a person other units rely on.
func (a *API) unitCreateAgent(c echo.Context) error {
	ctx := c.Request().Context()
	unit := callerOf(c).unit
	var in unitNewAgent
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	if in.IDType == "" {
		in.IDType = accounts.IDTypeResident
	}
	existing := true
	p, err := a.o.Accounts.FindByIDNumber(ctx, in.IDType, in.IDNumber)
	switch {
	case errors.Is(err, store.ErrNotFound):
		existing = false
		if in.Password == "" {
			return a.fail(c, badRequest("password", "password: an initial 6-digit password is required for a new agent"))
		}
		p, err = a.o.Accounts.CreatePerson(ctx, accounts.NewPerson{Name: in.Name, IDType: in.IDType, IDNumber: in.IDNumber, Mobile: in.Mobile, Password: in.Password})
		if err != nil {
			return a.fail(c, err)
		}
		a.record(c, audit.Event{Action: "persons.create", Principal: p.ID, Unit: unit, After: auditPerson(p)})
	case err != nil:
		return a.fail(c, err)
	case strings.TrimSpace(in.Name) != p.Name:
		return a.fail(c, badRequest("name", "name: does not match the holder of this ID number on record"))
	}
	ag, err := a.o.Accounts.AddAgent(ctx, p.ID, unit, in.Roles)
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "agents.create", Principal: p.ID, Unit: unit, After: auditAgent(ag)})
	out := viewAgent(ag, p)
	return c.JSON(http.StatusCreated, struct {
		agentView
		ExistingPerson bool `json:"existing_person"`
	}{out, existing})
}

// unitAgent loads the agent record the path names, refusing (403, audited,
// nothing changed) a person who is no agent of the caller's unit.
func (a *API) unitAgent(c echo.Context, action string) (*store.Agent, error) {
	cl := callerOf(c)
	personID := c.Param("person")
	ag, err := a.o.Accounts.Agent(c.Request().Context(), personID, cl.unit)
	if errors.Is(err, store.ErrNotFound) {
		a.record(c, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "not_agent_of_unit", Action: action, Principal: personID, Unit: cl.unit})
		return nil, &apiError{Status: http.StatusForbidden, Code: "forbidden", Description: "this person is not an agent of your unit"}
	}
	return ag, err
}

func (a *API) unitSetStatus(status string) echo.HandlerFunc {
	action := "agents.enable"
	if status == accounts.StatusDisabled {
		action = "agents.disable"
	}
	return func(c echo.Context) error {
		ag, err := a.unitAgent(c, action)
		if err != nil {
			return a.fail(c, err)
		}
		if ag.PersonID == callerOf(c).token.Subject && status == accounts.StatusDisabled {
			return a.fail(c, badRequest("person", "you cannot disable yourself; ask another unit administrator"))
		}
		before, after, err := a.o.Accounts.UpdateAgent(c.Request().Context(), ag.PersonID, ag.UnitID, accounts.AgentChange{Status: &status})
		if err != nil {
			return a.fail(c, err)
		}
		a.record(c, audit.Event{Action: action, Principal: ag.PersonID, Unit: ag.UnitID, Before: auditAgent(before), After: auditAgent(after)})
		return c.JSON(http.StatusOK, viewAgent(after, nil))
	}
}

// unitResetPassword sets an agent's password. The password is the
// person's, not the unit's: a person who is also an agent of another unit
// is refused, or one unit's administrator could take over the person's
// access to the other unit; the fund's counter resets those.
func (a *API) unitResetPassword(c echo.Context) error {
	ctx := c.Request().Context()
	const action = "agents.reset_password"
	ag, err := a.unitAgent(c, action)
	if err != nil {
		return a.fail(c, err)
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	units, err := a.o.Accounts.UnitsOf(ctx, ag.PersonID)
	if err != nil {
		return a.fail(c, err)
	}
	for _, u := range units {
		if u.ID != ag.UnitID {
			a.record(c, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "agent_of_other_units", Action: action, Principal: ag.PersonID, Unit: ag.UnitID})
			return a.fail(c, &apiError{Status: http.StatusForbidden, Code: "forbidden",
				Description: "this person is also an agent of another unit; the fund's counter resets their password"})
		}
	}
	if err := a.o.Accounts.SetPassword(ctx, ag.PersonID, in.Password); err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: action, Principal: ag.PersonID, Unit: ag.UnitID})
	return c.NoContent(http.StatusNoContent)
}
