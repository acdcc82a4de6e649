package ops

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
)

// AccessLog logs one line per request: method, route, status, duration and
// client IP. Query strings are not logged: they carry codes, states and
// login hints.
func AccessLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			lvl := slog.LevelDebug
			if status >= 500 {
				lvl = slog.LevelWarn
			}
			if !log.Enabled(c.Request().Context(), lvl) {
				return err // the hot path builds no log record it would drop
			}
			log.Log(c.Request().Context(), lvl, "http", "method", c.Request().Method, "path", c.Request().URL.Path,
				"status", status, "duration_ms", float64(time.Since(start).Microseconds())/1000, "ip", c.RealIP())
			return err
		}
	}
}
