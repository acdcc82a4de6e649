package broker

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/connectors"
)

// mountConnectorEndpoints serves connectors' own endpoints at
// /connectors/<id>/<path>.
func (b *Broker) mountConnectorEndpoints(e *echo.Echo, conns []connectors.Connector) {
	for _, cn := range conns {
		ep, ok := cn.(connectors.Endpoints)
		if !ok {
			continue
		}
		for p, h := range ep.Endpoints() {
			wrapped := echo.WrapHandler(h)
			e.Any("/connectors/"+url.PathEscape(cn.ID())+"/"+p, func(c echo.Context) error {
				r := c.Request()
				c.SetRequest(r.WithContext(connectors.WithRemoteIP(r.Context(), c.RealIP())))
				return wrapped(c)
			})
		}
	}
}
