package admin

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/webtx"
)

// outsideTx are the changes not made in one transaction: a key rotation
// publishes to the key manager's memory as it stores, and an import makes
// one transaction per row itself, on several workers.
var outsideTx = map[string]bool{
	"/admin/v1/keys/rotate":  true,
	"/admin/v1/import/:kind": true,
}

// oneTx makes a change and its audit events one transaction (webtx.Wrap);
// reads pass straight through. A commit that fails answers 503: nothing
// was written and the caller may try again.
func (a *API) oneTx(next echo.HandlerFunc) echo.HandlerFunc {
	inTx := webtx.Wrap(a.o.Tx, next, func(c echo.Context, err error) error {
		a.log.ErrorContext(c.Request().Context(), "admin change not committed", "path", c.Path(), "err", err)
		return a.fail(c, fmt.Errorf("%w: %w", store.ErrUnavailable, err))
	})
	return func(c echo.Context) error {
		if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead || outsideTx[c.Path()] {
			return next(c)
		}
		return inTx(c)
	}
}
