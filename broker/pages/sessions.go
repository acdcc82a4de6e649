package pages

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/logout"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
)

// SSOSessions are the person's browser sign-ins, listed on 我的账号 each
// with its own "sign out" (as Keycloak's account console lists devices).
type SSOSessions interface {
	SessionsOf(ctx context.Context, subject string) ([]*store.Session, error)
	DeleteSession(ctx context.Context, id string) error
}

// SessionEnder tells the business systems of an SSO session that it ended
// (logout.Service: back-channel logout tokens).
type SessionEnder interface {
	EndSession(ctx context.Context, sessionID, reason string) ([]string, error)
}

// sessionRow is one SSO session as 我的账号 shows it. Ref is the session's
// sid claim: what business systems already see, never the cookie or the
// store key.
type sessionRow struct {
	Ref, Started, Expires, Method, Browser, IP, Unit string
	Current                                          bool
}

// ssoSessions lists the person's live SSO sessions; the one this page was
// signed in through is marked current.
func (p *Pages) ssoSessions(ctx context.Context, lang string, s *session, personID string) ([]sessionRow, error) {
	if p.o.Sessions == nil {
		return nil, nil
	}
	ss, err := p.o.Sessions.SessionsOf(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := make([]sessionRow, 0, len(ss))
	for _, x := range ss {
		ref := logout.SID(x.ID)
		out = append(out, sessionRow{Ref: ref, Started: x.CreatedAt.In(chinaTime).Format("2006-01-02 15:04"),
			Expires: x.ExpiresAt.In(chinaTime).Format("2006-01-02 15:04"), Method: p.methodName(lang, x.Auth.IDP),
			Browser: browserOf(x.UserAgent), IP: x.IP, Unit: x.Auth.UnitID, Current: s.SID != "" && ref == s.SID})
	}
	return out, nil
}

// methodName is a connector's name for people, else its ID.
func (p *Pages) methodName(lang, idp string) string {
	if name := p.o.ConnectorName; name != nil {
		if n := name(idp, lang); n != "" {
			return n
		}
	}
	return idp
}

// browserOf names the browser and system of a User-Agent roughly, as a
// person recognises their devices; the full string is no help to them.
func browserOf(ua string) string {
	if ua == "" {
		return "—"
	}
	browser := "浏览器"
	for _, b := range []struct{ token, name string }{
		{"MicroMessenger", "微信"}, {"AlipayClient", "支付宝"}, {"Edg/", "Edge"}, {"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ token, name string }{
		{"Windows", "Windows"}, {"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"},
		{"Mac OS X", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return browser + " · " + o.name
		}
	}
	return browser
}

// signOutSession ends one of the person's SSO sessions, named by its sid:
// the business systems it reached are told (back-channel), the session is
// deleted and the change audited. A sid that is not one of this person's
// live sessions changes nothing. Ending the session this page came from
// ends the page session too.
func (p *Pages) signOutSession(c echo.Context, s *session, me *store.Person) error {
	ctx := c.Request().Context()
	ref := c.FormValue("session")
	ss, err := p.o.Sessions.SessionsOf(ctx, me.ID)
	if err != nil {
		return p.storeFail(c, err)
	}
	var target *store.Session
	for _, x := range ss {
		if ref != "" && logout.SID(x.ID) == ref {
			target = x
		}
	}
	if target == nil {
		p.refuse(c, s, "unknown_session")
		return p.renderAccount(c, http.StatusBadRequest, s, me, p.passwordForm(p.lang(c), s), web.Text(p.lang(c), "pg_err_no_session"), "")
	}
	if p.o.Logout != nil {
		if _, err := p.o.Logout.EndSession(ctx, target.ID, "account_signout"); err != nil {
			p.log.WarnContext(ctx, "session sign-out: logout tokens", "err", err)
		}
	}
	if err := p.o.Sessions.DeleteSession(ctx, target.ID); err != nil {
		return p.storeFail(c, err)
	}
	p.record(c, audit.Event{Type: AccountChange, Action: "sessions.signout", Actor: "person:" + me.ID,
		Principal: me.ID, Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
		After: map[string]any{"sid": ref, "signed_in": target.CreatedAt}})
	if ref == s.SID {
		return p.signout(c, s)
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=session_signout")
}
