package login

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// userRefused answers a login the user refused at the upstream (WeChat
// sends back `state` alone, a provincial platform or Alipay an error).
//
// Refusing one method is not refusing to sign in: when the chooser still
// offers another method, the user gets the connector's message and a link
// back to it, and the relying party's request stays open. When no other
// method is left (the client allows only this one, or the relying party
// named it with idp_hint, which the chooser would follow again), the
// refusal is the user's answer to the request, so the browser goes back to
// the relying party with error=access_denied and its state (OIDC Core
// §3.1.2.6, with iss per RFC 9207 §2) instead of ending on a page with no
// way out.
func (l *Login) userRefused(c echo.Context, ar *store.AuthRequest, cl *store.Client, lang, connectorID string, le *connectors.LoginError) error {
	if usable, _ := l.usable(cl, ar); len(usable) > 1 && ar.IDPHint != connectorID {
		return l.o.Pages.Render(c.Response(), statusRefused, "error", map[string]any{
			"Lang": lang, "Message": le.Text(lang), "BackURL": URL(ar.ID) + "&lang=" + url.QueryEscape(lang)})
	}
	u, err := url.Parse(ar.RedirectURI)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	if err := l.o.Store.DeleteAuthRequest(c.Request().Context(), ar.ID); err != nil {
		l.log.WarnContext(c.Request().Context(), "delete refused auth request", "err", err)
	}
	q := u.Query()
	q.Set("error", "access_denied")
	q.Set("error_description", "the user did not allow the sign-in at "+connectorID)
	if ar.State != "" {
		q.Set("state", ar.State)
	}
	q.Set("iss", l.o.Issuer)
	u.RawQuery = q.Encode()
	return c.Redirect(http.StatusSeeOther, u.String())
}
