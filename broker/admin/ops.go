package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
)

// revokePrincipal revokes every token and SSO session of a person or
// client issued until now: refresh families fail their next rotation,
// access tokens fail introspection, userinfo and the broker's APIs, SSO
// sessions stop answering.
func (a *API) revokePrincipal(c echo.Context) error {
	id := c.Param("principal")
	now := a.o.Now()
	if err := a.o.Store.RevokeSubject(c.Request().Context(), id, now, now.Add(a.o.RevokeFor)); err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Type: audit.TokenRevoke, Action: "principals.revoke", Principal: id})
	a.logout(c.Request().Context(), id)
	return c.JSON(http.StatusOK, map[string]any{"principal": id, "revoked_before": now.UTC().Format(time.RFC3339)})
}

// rotateKeys schedules a signing key switch (see keys.Manager.RotateNow).
func (a *API) rotateKeys(c echo.Context) error {
	if err := a.o.Keys.RotateNow(c.Request().Context()); err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "keys.rotate"})
	return c.JSON(http.StatusAccepted, map[string]string{"status": "rotation scheduled"})
}

// queryAudit answers GET /audit?since=&until=&principal=&type=&cursor=&limit=.
func (a *API) queryAudit(c echo.Context) error {
	var q audit.Query
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		s := c.QueryParam(t.name)
		if s == "" {
			continue
		}
		v, err := parseWhen(s, a.o.Now())
		if err != nil {
			return a.fail(c, badRequest(t.name, "%s must be RFC 3339 (2026-01-02T15:04:05Z), a date (2026-01-02) or a duration ago (24h)", t.name))
		}
		*t.dst = v
	}
	cursor, limit, err := paging(c)
	if err != nil {
		return a.fail(c, err)
	}
	q.After, q.Limit = cursor, limit
	q.Principal, q.Type = normalizeUnit(c.QueryParam("principal")), c.QueryParam("type")
	events, next, err := a.o.Audit.Query(c.Request().Context(), q)
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, page[audit.Event]{Items: events, NextCursor: next})
}

// parseWhen reads an RFC 3339 time, a date (midnight UTC+8, the funds'
// time zone) or a Go duration meaning that long before now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("CST", 8*3600)); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return time.Time{}, err
	}
	if d < 0 {
		return time.Time{}, errors.New("negative duration")
	}
	return now.Add(-d), nil
}
