package pages

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/stats"
	"github.com/gjjid/gjjid/broker/web"
)

// The console's dashboard: bar charts drawn here as SVG (no script, no
// chart library, nothing from another origin) from the broker's own
// counters (package stats), each with its numbers as a table beside it
// for screen readers and for reading exact values.
func (p *Pages) registerConsoleDashboard(e *echo.Echo) {
	e.GET("/admin/dashboard", p.consoleView(staff.AreaAudit, p.dashboard))
}

// chart geometry, in SVG user units.
const (
	chartW, chartH = 480, 120
)

type bar struct {
	X, Y, W, H float64
	Title      string
}

// chart is one series drawn over 24 hours or 30 days.
type chart struct {
	ID, Title, Lang string
	Total           int64
	Max             int64
	Bars            []bar
	W, H            int
}

func newChart(id, title string, values []int64, labels []string) chart {
	c := chart{ID: id, Title: title, W: chartW, H: chartH}
	for _, v := range values {
		c.Total += v
		c.Max = max(c.Max, v)
	}
	step := float64(chartW) / float64(len(values))
	for i, v := range values {
		h := 0.0
		if c.Max > 0 {
			h = float64(v) / float64(c.Max) * (chartH - 10)
		}
		c.Bars = append(c.Bars, bar{X: float64(i)*step + 1, Y: chartH - h, W: step - 2, H: h, Title: fmt.Sprintf("%s: %d", labels[i], v)})
	}
	return c
}

func (p *Pages) dashboard(c echo.Context, s *session, roles []string) error {
	lang, ctx := p.lang(c), c.Request().Context()
	now := time.Now().In(chinaTime)
	hourLabels, dayLabels := make([]string, 24), make([]string, 30)
	for i := range 24 {
		hourLabels[i] = now.Add(-time.Duration(23-i) * time.Hour).Format("01-02 15:00")
	}
	for i := range 30 {
		dayLabels[i] = now.AddDate(0, 0, -(29 - i)).Format("2006-01-02")
	}
	type series struct{ id, title, name string }
	var all []series
	for _, cn := range p.o.Connectors {
		for _, out := range []string{"success", "failure"} {
			all = append(all, series{"login-" + cn + "-" + out, fmt.Sprintf("%s · %s · %s", web.Text(lang, "pg_con_dash_logins"), cn, web.Text(lang, "pg_con_dash_"+out)), stats.Login(cn, out)})
		}
	}
	all = append(all, series{"lockouts", web.Text(lang, "pg_con_dash_lockouts"), stats.Lockouts}, series{"qr", web.Text(lang, "pg_con_dash_qr"), stats.QRLogins})
	for _, g := range []string{"authorization_code", "refresh_token", "client_credentials", "token_exchange"} {
		all = append(all, series{"tokens-" + g, web.Text(lang, "pg_con_dash_tokens") + " · " + g, stats.Token(g)})
	}
	var day, month []chart
	for _, sr := range all {
		h, err := p.o.Stats.Hours(ctx, sr.name)
		if err != nil {
			return p.storeFail(c, err)
		}
		d, err := p.o.Stats.Days(ctx, sr.name)
		if err != nil {
			return p.storeFail(c, err)
		}
		dc, mc := newChart(sr.id+"-24h", sr.title, h, hourLabels), newChart(sr.id+"-30d", sr.title, d, dayLabels)
		dc.Lang, mc.Lang = lang, lang
		day, month = append(day, dc), append(month, mc)
	}
	return p.render(c, http.StatusOK, "pg_con_dashboard", struct {
		frame
		Day, Month []chart
	}{p.consoleFrame(c, s, roles, lang, "pg_con_dashboard"), day, month})
}
