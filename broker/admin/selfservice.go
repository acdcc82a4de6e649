package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// requireUnitAdmin admits a person's login token acting for unit U whose
// agent record for U is active and has the unit_admin role now (not when
// the token was issued: a demoted admin loses access at once), and the
// unit's own login (a unit certificate of U). UnitSelfService.Admit holds
// the rule.
func (a *API) requireUnitAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t, err := a.bearer(c)
		if err != nil {
			return swallow(err)
		}
		who := UnitActor{Client: t.ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent(), Attempt: c.Request().Method + " " + c.Path()}
		who, err = a.UnitSelfService().Admit(c.Request().Context(), t.Subject, t.UnitID, who)
		if p, ok := ProblemOf(err); ok {
			return swallow(a.challenge(c, http.StatusForbidden, "insufficient_scope", p.Description))
		}
		if err != nil {
			return a.fail(c, err)
		}
		c.Set(callerKey, &caller{token: t, actor: who.ID, unit: who.Unit})
		return next(c)
	}
}

// unitActor is the self-service actor of an admitted request.
func unitActor(c echo.Context) UnitActor {
	cl := callerOf(c)
	return UnitActor{ID: cl.actor, Subject: cl.token.Subject, Unit: cl.unit, Client: cl.token.ClientID,
		IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
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

// unitCreateAgent makes a person an agent of the caller's unit
// (UnitSelfService.CreateAgent).
func (a *API) unitCreateAgent(c echo.Context) error {
	var in unitNewAgent
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	ag, p, existing, err := a.UnitSelfService().CreateAgent(c.Request().Context(), unitActor(c),
		NewUnitAgent(in))
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusCreated, struct {
		agentView
		ExistingPerson bool `json:"existing_person"`
	}{viewAgent(ag, p), existing})
}

func (a *API) unitSetStatus(status string) echo.HandlerFunc {
	return func(c echo.Context) error {
		after, err := a.UnitSelfService().SetAgentStatus(c.Request().Context(), unitActor(c), c.Param("person"), status)
		if err != nil {
			return a.fail(c, err)
		}
		return c.JSON(http.StatusOK, viewAgent(after, nil))
	}
}

// unitResetPassword sets an agent's password
// (UnitSelfService.ResetAgentPassword).
func (a *API) unitResetPassword(c echo.Context) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	if err := a.UnitSelfService().ResetAgentPassword(c.Request().Context(), unitActor(c), c.Param("person"), in.Password); err != nil {
		return a.fail(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}
