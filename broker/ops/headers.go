package ops

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy is every response's CSP; AllowConnect widens its
// connect-src for one response.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"

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
			h.Set("Content-Security-Policy", contentSecurityPolicy)
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

// AllowConnect adds origins to the connect-src of the CSP set on h (by
// SecurityHeaders), for this response only: a page that talks to a local
// component (a CA's signing service on a loopback port) calls it before
// writing. Origins must already be validated (no spaces or semicolons).
func AllowConnect(h http.Header, origins ...string) {
	if len(origins) == 0 {
		return
	}
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		return
	}
	directives := strings.Split(csp, ";")
	for i, d := range directives {
		if f := strings.Fields(d); len(f) > 0 && f[0] == "connect-src" {
			directives[i] = " " + strings.Join(append(f, origins...), " ")
		}
	}
	h.Set("Content-Security-Policy", strings.TrimSpace(strings.Join(directives, ";")))
}
