package ops

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
)

// RetryAfter is the Retry-After, in seconds, of the 503 a store outage
// causes.
const RetryAfter = "5"

// StoreWaitBudget gives each request one store.WaitBudget: however many
// store calls it makes, it waits for an unreachable store at most one
// store timeout in total.
func StoreWaitBudget(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(store.WithWaitBudget(r.Context())))
		return next(c)
	}
}

// StoreErrors answers a handler error that means the store is unreachable
// (store.ErrUnavailable, which is connectors.ErrUnavailable) with 503
// temporarily_unavailable and Retry-After, and hands every other error to
// next (echo's default handler would make it a 500).
func StoreErrors(next echo.HTTPErrorHandler) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if !errors.Is(err, store.ErrUnavailable) {
			next(err, c)
			return
		}
		if c.Response().Committed {
			return
		}
		c.Response().Header().Set("Retry-After", RetryAfter)
		_ = c.JSON(http.StatusServiceUnavailable, map[string]string{
			"error": "temporarily_unavailable", "error_description": "gjjid cannot reach its store; try again shortly"})
	}
}
