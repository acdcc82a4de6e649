package pages

import (
	"context"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/keys"
)

// KeyRing is what the console's key page needs of the signing keys
// (keys.Manager).
type KeyRing interface {
	Published() []keys.PublicKey
	ActiveFor(alg jose.SignatureAlgorithm) *keys.SigningKey
	ActiveSince() time.Time
	RotationPeriod() time.Duration
	RotateNow(ctx context.Context) error
}

// The console's signing keys: what /keys publishes, which key signs now,
// and a rotation on demand (the published successor takes over).
func (p *Pages) registerConsoleKeys(e *echo.Echo) {
	if p.o.Keys == nil {
		return
	}
	e.GET("/admin/keys", p.consoleView(staff.AreaKeys, p.keysPage))
	e.POST("/admin/keys/rotate", p.consoleAction(staff.AreaKeys, p.keysRotate))
}

type keyRow struct{ KID, Alg, State string }

func (p *Pages) keysPage(c echo.Context, s *session, roles []string) error {
	lang := p.lang(c)
	var rows []keyRow
	for _, k := range p.o.Keys.Published() {
		state := web.Text(lang, "pg_con_key_"+k.State())
		if a := p.o.Keys.ActiveFor(k.Algorithm()); a != nil && a.ID() == k.ID() {
			// What this instance signs with, whatever the set says.
			state = web.Text(lang, "pg_con_key_active")
		}
		rows = append(rows, keyRow{KID: k.ID(), Alg: string(k.Algorithm()), State: state})
	}
	return p.render(c, http.StatusOK, "pg_con_keys", struct {
		frame
		Keys           []keyRow
		ActiveSince    string
		RotationPeriod string
	}{p.consoleFrame(c, s, roles, lang, "pg_con_keys"), rows, p.o.Keys.ActiveSince().In(chinaTime).Format("2006-01-02 15:04"),
		p.o.Keys.RotationPeriod().String()})
}

func (p *Pages) keysRotate(c echo.Context, s *session, roles []string) error {
	if err := p.o.Keys.RotateNow(c.Request().Context()); err != nil {
		return p.storeFail(c, err)
	}
	p.staffRecord(c, s, audit.Event{Action: "keys.rotate"})
	return c.Redirect(http.StatusSeeOther, "/admin/keys?done=rotated")
}
