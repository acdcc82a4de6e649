package pages

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/webtx"
)

// handler is a page handler with its live session.
type handler func(c echo.Context, s *session) error

// CrossOrigin returns why a form post is refused as coming from another
// site, or "" when it comes from origin (scheme://host of the issuer).
// The browser's Sec-Fetch-Site decides when it sends one: Chromium posts a
// same-origin form with Origin: null under the broker's Referrer-Policy:
// no-referrer, so Origin is judged only when Sec-Fetch-Site is absent
// (older browsers) or "none". A request with neither header is no
// browser's cross-site post; the CSRF token still guards it.
func CrossOrigin(r *http.Request, origin string) string {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin":
		return ""
	case "", "none":
	default:
		return "cross_site"
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Scheme+"://"+u.Host != origin {
			return "cross_origin"
		}
	}
	return ""
}

// guard wraps a form post: same origin, a live session and the session's
// CSRF token, or a 403 page saying what to do and an audited refusal;
// nothing is changed.
func (p *Pages) guard(h handler) echo.HandlerFunc { return p.guardWith(p.session, h) }

// guardWith is guard reading the session with get (the staff console's
// limits are its own).
func (p *Pages) guardWith(get func(echo.Context) *session, h handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		if why := CrossOrigin(c.Request(), p.origin); why != "" {
			p.refuse(c, nil, why)
			return p.fail(c, http.StatusForbidden, "pg_err_cross_site", nil)
		}
		s := get(c)
		if s == nil {
			return p.fail(c, http.StatusForbidden, "pg_err_signed_out", nil)
		}
		if tok := c.FormValue("csrf"); tok == "" || !hmac.Equal([]byte(tok), []byte(p.csrf(s))) {
			p.refuse(c, s, "csrf")
			return p.fail(c, http.StatusForbidden, "err_csrf", nil)
		}
		if outsideTx[c.Path()] {
			return h(c, s)
		}
		return webtx.Wrap(p.o.Tx, func(c echo.Context) error { return h(c, s) }, func(c echo.Context, err error) error {
			p.log.ErrorContext(c.Request().Context(), "page change not committed", "path", c.Path(), "err", err)
			return p.storeFail(c, fmt.Errorf("%w: %w", store.ErrUnavailable, err))
		})(c)
	}
}

// outsideTx are the form posts not made one transaction (webtx): a key
// rotation publishes to the key manager's memory as it stores; the audit
// pages only read, and an export streams.
var outsideTx = map[string]bool{
	"/admin/keys/rotate":  true,
	"/admin/audit":        true,
	"/admin/audit/export": true,
}

// signedIn wraps a page: without a live session the browser signs in
// first and comes back to the page.
func (p *Pages) signedIn(h handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := p.session(c)
		if s == nil {
			return p.signin.start(c, c.Request().URL.Path, stepUp{}, nil)
		}
		return h(c, s)
	}
}

// refuse audits a refused form post.
func (p *Pages) refuse(c echo.Context, s *session, reason string) {
	e := audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: reason, Action: c.Request().Method + " " + c.Path(),
		IP: c.RealIP(), UserAgent: c.Request().UserAgent(), Client: ClientID}
	if s != nil {
		e.Actor, e.ActorUnit = actorOf(s), s.Unit
	}
	p.record(c, e)
}

func (p *Pages) record(c echo.Context, e audit.Event) {
	if p.o.Audit == nil {
		return
	}
	if err := p.o.Audit.Record(c.Request().Context(), e); err != nil {
		p.log.ErrorContext(c.Request().Context(), "audit write failed", "type", e.Type, "action", e.Action, "err", err)
	}
}
