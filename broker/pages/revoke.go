package pages

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
)

// Revocations is what the pages need of the broker's revocation marks: a
// page session whose sign-in predates a revocation of its subject ("sign
// out everywhere", an administrator's revoke) is over, like an SSO session.
type Revocations interface {
	RevokeSubject(ctx context.Context, subject string, before, until time.Time) error
	AccessTokenRevoked(ctx context.Context, jti, grantID, subject string, issuedAt time.Time) (bool, error)
}

// revoked reports whether s was signed in before a revocation of its
// subject. A store error counts as revoked: the pages fail closed.
func (p *Pages) revoked(ctx context.Context, s *session) bool {
	if p.o.Revocations == nil {
		return false
	}
	// auth_time has whole seconds: read it as the end of its second, so
	// a sign-in made just after a revocation is not taken for one before.
	r, err := p.o.Revocations.AccessTokenRevoked(ctx, "", "", s.Subject, time.Unix(s.AuthTime, int64(time.Second-1)))
	if err != nil {
		p.log.WarnContext(ctx, "revocation check", "err", err)
		return true
	}
	return r
}

// signOutEverywhere revokes every SSO session, refresh token and access
// token of the signed-in person, on every device, and ends this page
// session.
func (p *Pages) signOutEverywhere(c echo.Context, s *session, me *store.Person) error {
	if p.o.Revocations == nil {
		return p.fail(c, http.StatusNotFound, "err_internal", nil)
	}
	now := p.o.Now()
	if err := p.o.Revocations.RevokeSubject(c.Request().Context(), me.ID, now, now.Add(p.o.RevokeFor)); err != nil {
		return p.storeFail(c, err)
	}
	p.record(c, audit.Event{Type: audit.TokenRevoke, Action: "principals.revoke", Reason: "sign_out_everywhere", Actor: "person:" + me.ID,
		Principal: me.ID, Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
	return p.signout(c, s)
}
