package login

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// Certificate plus password (connector option second_factor: password):
// the certificate proves the unit; then an agent (经办人) of that unit
// signs in with their ID number or mobile and 6-digit password, through a
// password connector's Login, so its lockout and limits apply. The login
// is that agent acting for that unit, with both methods in amr (RFC 8176
// hwk or swk, and pwd): two factors, one of them cryptographic. The
// certificate's identity waits for the second step the way a self-bind
// identity waits for its binding (bind.go): sealed, for this browser only.

// errNotAgent is the cause (for the log and audit) of a second step by a
// person who is not an agent of the certificate's unit; the page shows the
// password connector's generic refusal.
var errNotAgent = errors.New("login: second factor by a person who is not an agent of the certificate's unit")

// startSecondFactor parks a certificate login that proved unit principal p
// and shows the agent's password page.
func (l *Login) startSecondFactor(c echo.Context, ar *store.AuthRequest, id connectors.Identity, p Principal) error {
	if p.UnitID == "" {
		// A certificate that names no unit cannot say whose agents may go on.
		return l.unresolved(c, ar, id, ErrNoAccount)
	}
	l.onLogin(id.ConnectorID, "second_factor")
	return l.park(c, ar, pendingBind{AuthRequestID: ar.ID, BrowserID: ar.BrowserID, Identity: id,
		Unit: p.UnitID, Thumbprint: certThumbprintOf(c)})
}

// proofMethodsFor are the connectors the page of p offers: every form
// connector for a binding, password connectors only (no SMS code) for a
// second factor, which must be the agent's password.
func (l *Login) proofMethodsFor(p *pendingBind) []connectors.PasswordLogin {
	ms := l.proofMethods()
	if p == nil || p.Unit == "" {
		return ms
	}
	return slices.DeleteFunc(ms, func(m connectors.PasswordLogin) bool {
		_, sends := m.(connectors.CodeSender)
		return sends
	})
}

// secondFactorProved goes on once the password connector accepted proof:
// the person must be an agent of the certificate's unit, else the page
// answers with the password connector's generic refusal (so it tells
// nobody whether that person exists or whose agent they are).
func (l *Login) secondFactorProved(c echo.Context, ar *store.AuthRequest, cl *store.Client, lang, ticket string, p *pendingBind, via connectors.PasswordLogin, user string, proof connectors.Identity) error {
	ctx := c.Request().Context()
	person, err := l.o.Resolver.Resolve(ctx, proof)
	if err != nil && !errors.Is(err, ErrNeedsBinding) && !errors.Is(err, ErrNotBound) && !errors.Is(err, ErrNoAccount) {
		l.fail(c, err, "")
		return nil
	}
	agent := false
	if err == nil {
		units, err := l.o.Resolver.UnitsOf(ctx, person.Subject)
		if err != nil {
			l.fail(c, err, "")
			return nil
		}
		agent = slices.ContainsFunc(units, func(u Unit) bool { return u.ID == p.Unit })
	}
	if !agent {
		refusal := &connectors.LoginError{Code: "not_agent", Err: errNotAgent, Message: map[string]string{
			"zh-CN": "证件号码/手机号或密码错误", "en": "Incorrect ID number/mobile or password"}}
		l.recordFailure(c, ar, p.Identity.ConnectorID, maskLogin(user), refusal)
		l.onLogin(p.Identity.ConnectorID, "second_factor_not_agent")
		return l.renderBind(c, refusalStatus(refusal), ar, cl, lang, ticket, p, via, user, refusal.Text(lang), "")
	}
	// One second step per ticket.
	if _, err := l.o.Store.TakeValue(ctx, bindKey(ticket)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			l.ErrorPage(c.Response(), c.Request(), http.StatusBadRequest, "invalid_state")
			return nil
		}
		l.fail(c, err, "")
		return nil
	}
	id := p.Identity
	id.AMR = append(slices.Clone(id.AMR), proof.AMR...)
	l.onLogin(p.Identity.ConnectorID, "success")
	if p.Thumbprint != "" {
		c.Set(ctxCertThumbprint, p.Thumbprint)
	}
	return l.startSession(c, ar, id, Principal{Subject: person.Subject, UnitID: p.Unit})
}
