package broker

import (
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/connectors"
)

// mountCrossDevice serves the APIs of cross-device connectors (the app API
// of appscan) at the path prefixes they claim; two connectors claiming one
// prefix is a configuration error.
func (b *Broker) mountCrossDevice(e *echo.Echo, conns []connectors.Connector) error {
	owner := map[string]string{}
	for _, cn := range conns {
		cd, ok := cn.(connectors.CrossDevice)
		if !ok {
			continue
		}
		wrapped := echo.WrapHandler(cd.Handler())
		// The connector's API sees the caller's IP as the broker does
		// (trusted proxies considered), for its rate limits and audit.
		h := func(c echo.Context) error {
			r := c.Request()
			c.SetRequest(r.WithContext(connectors.WithRemoteIP(r.Context(), c.RealIP())))
			return wrapped(c)
		}
		for _, p := range cd.Paths() {
			if other, taken := owner[p]; taken {
				return fmt.Errorf("connectors %s and %s both serve %s: configure one %s connector", other, cn.ID(), p, cn.Type())
			}
			owner[p] = cn.ID()
			base := strings.TrimSuffix(p, "/")
			e.Any(base, h)
			e.Any(base+"/*", h)
		}
	}
	return nil
}
