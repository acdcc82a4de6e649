package admin

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
)

type newUnit struct {
	ID         string `json:"id"`
	CustomerNo string `json:"customer_no"`
	Name       string `json:"name"`
}

func (a *API) createUnit(c echo.Context) error {
	var in newUnit
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	u, err := a.o.Accounts.CreateUnit(c.Request().Context(), in.ID, in.CustomerNo, in.Name)
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "units.create", Principal: u.ID, Unit: u.ID, After: auditUnit(u)})
	return c.JSON(http.StatusCreated, u)
}

func (a *API) listUnits(c echo.Context) error {
	cursor, limit, err := paging(c)
	if err != nil {
		return a.fail(c, err)
	}
	us, next, err := a.o.Accounts.ListUnits(c.Request().Context(), cursor, limit)
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, page[*store.Unit]{Items: us, NextCursor: next})
}

func (a *API) getUnit(c echo.Context) error {
	u, err := a.o.Accounts.GetUnit(c.Request().Context(), c.Param("unit"))
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("unit"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, u)
}

func (a *API) updateUnit(c echo.Context) error {
	var ch accounts.UnitChange
	if err := decode(c, &ch); err != nil {
		return a.fail(c, err)
	}
	before, after, err := a.o.Accounts.UpdateUnit(c.Request().Context(), c.Param("unit"), ch)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("unit"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "units.update", Principal: after.ID, Unit: after.ID, Before: auditUnit(before), After: auditUnit(after)})
	return c.JSON(http.StatusOK, after)
}

type newPerson struct {
	Name     string `json:"name"`
	IDType   string `json:"id_type"`
	IDNumber string `json:"id_number"`
	Mobile   string `json:"mobile"`
	Password string `json:"password"`
}

func (a *API) createPerson(c echo.Context) error {
	var in newPerson
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	p, err := a.o.Accounts.CreatePerson(c.Request().Context(), accounts.NewPerson(in))
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "persons.create", Principal: p.ID, After: auditPerson(p)})
	return c.JSON(http.StatusCreated, viewPerson(p))
}

func (a *API) listPersons(c echo.Context) error {
	cursor, limit, err := paging(c)
	if err != nil {
		return a.fail(c, err)
	}
	ps, next, err := a.o.Accounts.ListPersons(c.Request().Context(), cursor, limit)
	if err != nil {
		return a.fail(c, err)
	}
	out := make([]personView, len(ps))
	for i, p := range ps {
		out[i] = viewPerson(p)
	}
	return c.JSON(http.StatusOK, page[personView]{Items: out, NextCursor: next})
}

// lookupPerson finds a person by ID number. It is a POST so the number
// stays out of URLs, access logs and proxies.
func (a *API) lookupPerson(c echo.Context) error {
	var in struct {
		IDType   string `json:"id_type"`
		IDNumber string `json:"id_number"`
	}
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	if in.IDType == "" {
		in.IDType = accounts.IDTypeResident
	}
	p, err := a.o.Accounts.FindByIDNumber(c.Request().Context(), in.IDType, in.IDNumber)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("person"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, viewPerson(p))
}

func (a *API) getPerson(c echo.Context) error {
	p, err := a.o.Accounts.GetPerson(c.Request().Context(), c.Param("person"))
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("person"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, viewPerson(p))
}

func (a *API) updatePerson(c echo.Context) error {
	var ch accounts.PersonChange
	if err := decode(c, &ch); err != nil {
		return a.fail(c, err)
	}
	before, after, err := a.o.Accounts.UpdatePerson(c.Request().Context(), c.Param("person"), ch)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("person"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "persons.update", Principal: after.ID, Before: auditPerson(before), After: auditPerson(after)})
	return c.JSON(http.StatusOK, viewPerson(after))
}

func (a *API) setPassword(c echo.Context) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	id := c.Param("person")
	err := a.o.Accounts.SetPassword(c.Request().Context(), id, in.Password)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("person"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "persons.set_password", Principal: id})
	return c.NoContent(http.StatusNoContent)
}

type newAgent struct {
	PersonID string   `json:"person_id"`
	Roles    []string `json:"roles"`
}

func (a *API) addAgent(c echo.Context) error {
	var in newAgent
	if err := decode(c, &in); err != nil {
		return a.fail(c, err)
	}
	if in.PersonID == "" {
		return a.fail(c, badRequest("person_id", "person_id is required"))
	}
	ag, err := a.o.Accounts.AddAgent(c.Request().Context(), in.PersonID, unitParam(c), in.Roles)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("person or unit"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "agents.create", Principal: ag.PersonID, Unit: ag.UnitID, After: auditAgent(ag)})
	return c.JSON(http.StatusCreated, viewAgent(ag, nil))
}

func (a *API) listAgents(c echo.Context) error {
	return a.agentsOf(c, c.Param("unit"))
}

// agentsOf pages a unit's agents with their persons' masked identities.
func (a *API) agentsOf(c echo.Context, unitID string) error {
	ctx := c.Request().Context()
	cursor, limit, err := paging(c)
	if err != nil {
		return a.fail(c, err)
	}
	u, err := a.o.Accounts.GetUnit(ctx, unitID)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("unit"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	as, next, err := a.o.Accounts.AgentsOfUnit(ctx, u.ID, cursor, limit)
	if err != nil {
		return a.fail(c, err)
	}
	out := make([]agentView, 0, len(as))
	for _, ag := range as {
		p, err := a.o.Accounts.GetPerson(ctx, ag.PersonID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return a.fail(c, err)
		}
		out = append(out, viewAgent(ag, p))
	}
	return c.JSON(http.StatusOK, page[agentView]{Items: out, NextCursor: next})
}

func (a *API) updateAgent(c echo.Context) error {
	var ch accounts.AgentChange
	if err := decode(c, &ch); err != nil {
		return a.fail(c, err)
	}
	unitID := unitParam(c)
	before, after, err := a.o.Accounts.UpdateAgent(c.Request().Context(), c.Param("person"), unitID, ch)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("agent"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "agents.update", Principal: after.PersonID, Unit: after.UnitID, Before: auditAgent(before), After: auditAgent(after)})
	return c.JSON(http.StatusOK, viewAgent(after, nil))
}

func (a *API) removeAgent(c echo.Context) error {
	ctx := c.Request().Context()
	unitID, personID := unitParam(c), c.Param("person")
	before, err := a.o.Accounts.Agent(ctx, personID, unitID)
	if err == nil {
		err = a.o.Accounts.RemoveAgent(ctx, personID, unitID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("agent"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "agents.delete", Principal: personID, Unit: unitID, Before: auditAgent(before)})
	return c.NoContent(http.StatusNoContent)
}

// unitParam normalises the :unit path parameter as a credit code when it
// is one (lower-case input finds the upper-case record).
func unitParam(c echo.Context) string {
	return normalizeUnit(c.Param("unit"))
}
