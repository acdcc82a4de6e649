package ops

import (
	"github.com/labstack/echo/v4"
)

// SecurityHeaders sets the headers every response carries. Pages use no
// inline script or style, so the CSP can be strict; frame-ancestors 'none'
// stops click-jacking of the login form; no-referrer keeps codes and auth
// request IDs out of Referer headers.
func SecurityHeaders(https bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			// No form-action: Chromium applies it to every redirect after a
			// form POST, and a completed login redirects to the client's
			// redirect_uri on another origin.
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
			h.Set("X-Frame-Options", "DENY")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if https {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			return next(c)
		}
	}
}
