package pages

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
)

// deviceRow is one of the person's app device keys on 我的账号.
type deviceRow struct{ ID, Registered, Expires string }

// devices lists the person's live device keys: the candidates are the keys
// the audit trail saw them register (within the audit retention), the
// connector says which are still theirs.
func (p *Pages) devices(ctx context.Context, personID string) ([]deviceRow, error) {
	if p.o.Devices == nil || p.o.Audit == nil {
		return nil, nil
	}
	evs, _, err := p.o.Audit.Query(ctx, audit.Query{Principal: personID, Type: connectors.AuditQRDeviceRegister,
		Since: p.o.Now().Add(-5 * 365 * 24 * time.Hour), Limit: 1000})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, e := range evs {
		kid, _ := e.After["device_key"].(string)
		if e.Outcome == audit.Success && kid != "" && !seen[kid] {
			seen[kid] = true
			ids = append(ids, kid)
		}
	}
	keys, err := p.o.Devices.DeviceKeysOf(ctx, personID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]deviceRow, len(keys))
	for i, k := range keys {
		out[i] = deviceRow{ID: k.ID, Registered: k.Created.In(chinaTime).Format("2006-01-02 15:04"),
			Expires: k.Expires.In(chinaTime).Format("2006-01-02")}
	}
	return out, nil
}

// forgetDevice deletes one of the person's device keys: the app on that
// phone must register again before its signatures count. A key that is
// not the person's changes nothing.
func (p *Pages) forgetDevice(c echo.Context, s *session, me *store.Person) error {
	if p.o.Devices == nil {
		return p.fail(c, http.StatusNotFound, "err_no_connector", nil)
	}
	kid := c.FormValue("device")
	err := p.o.Devices.ForgetDeviceKey(c.Request().Context(), me.ID, kid)
	if errors.Is(err, connectors.ErrNotFound) {
		p.refuse(c, s, "unknown_device")
		return p.renderAccount(c, http.StatusBadRequest, s, me, p.passwordForm(p.lang(c), s), web.Text(p.lang(c), "pg_err_no_device"), "")
	}
	if err != nil {
		return p.storeFail(c, err)
	}
	p.record(c, audit.Event{Type: AccountChange, Action: "devices.forget", Actor: "person:" + me.ID, Principal: me.ID,
		Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent(), After: map[string]any{"device_key": kid}})
	return c.Redirect(http.StatusSeeOther, "/account?done=device_forgotten")
}
