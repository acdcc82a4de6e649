package login

import (
	"context"
	"errors"
	"slices"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/connectors"
)

// A login by RFC 8693 subject token (the WeChat mini program's js_code)
// is a login without a browser: the connector redeems the token, the
// resolver resolves the identity as for any login, and an identity nobody
// linked yet is refused with a hint to sign in once through /authorize
// with that connector (self-bind). The provider validates the request and
// mints the tokens; it knows no connectors, so the login answers.

// subjectTokenExchange is the connectors that redeem subject tokens, in
// configured order, and the token types they redeem together.
type subjectTokenExchange struct {
	conns []connectors.SubjectTokenExchange
	types []string
}

func newSubjectTokenExchange(conns []connectors.Connector) subjectTokenExchange {
	var x subjectTokenExchange
	for _, c := range conns {
		if e, ok := c.(connectors.SubjectTokenExchange); ok {
			x.conns = append(x.conns, e)
		}
	}
	for _, c := range x.conns {
		for _, t := range c.SubjectTokenTypes() {
			if !slices.Contains(x.types, t) {
				x.types = append(x.types, t)
			}
		}
	}
	return x
}

// SubjectTokenTypes lists the subject token types the connectors redeem.
func (l *Login) SubjectTokenTypes() []string { return l.exchange.types }

func refused(desc string) error {
	return &provider.ExchangeError{Code: "invalid_grant", Description: desc}
}

// ExchangeSubjectToken logs in with an upstream subject token, for the
// provider's RFC 8693 token exchange.
func (l *Login) ExchangeSubjectToken(ctx context.Context, r provider.ExchangeRequest) (provider.Exchanged, error) {
	var cn connectors.SubjectTokenExchange
	for _, c := range l.exchange.conns {
		if c.AcceptsSubjectToken(r.TokenType, r.ClientID) && (len(r.Connectors) == 0 || slices.Contains(r.Connectors, c.ID())) {
			cn = c
			break
		}
	}
	if cn == nil {
		return provider.Exchanged{}, &provider.ExchangeError{Code: "unauthorized_client", Description: "no connector exchanges this subject_token_type for this client"}
	}
	id, err := cn.ExchangeSubjectToken(ctx, r.ClientID, r.TokenType, r.Token)
	if err != nil {
		l.onLogin(cn.ID(), loginResult(err))
		if le, ok := connectors.AsLoginError(err); ok {
			l.recordExchange(ctx, audit.Event{Type: audit.LoginFailure, Outcome: audit.Failure, Reason: le.Code, Connector: cn.ID(), Client: r.ClientID})
			return provider.Exchanged{}, refused(le.Text("en"))
		}
		return provider.Exchanged{}, err
	}
	p, err := l.o.Resolver.Resolve(ctx, id)
	switch {
	case errors.Is(err, ErrNeedsBinding):
		l.onLogin(cn.ID(), "needs_binding")
		return provider.Exchanged{}, &provider.ExchangeError{Code: "invalid_grant", IDPHint: cn.ID(),
			Description: "this " + cn.DisplayName("en") + " account is not linked to an agent yet: sign in once through the authorization endpoint with idp_hint=" + cn.ID() + " to link it (self-bind), then exchange again"}
	case errors.Is(err, ErrNotBound), errors.Is(err, ErrNoAccount):
		l.onLogin(cn.ID(), "no_account")
		return provider.Exchanged{}, refused("no active account is linked to this upstream account")
	case err != nil:
		return provider.Exchanged{}, err
	}
	if p.UnitID == "" {
		// A person acting for exactly one unit acts for it; with several,
		// the token names none (the app has no unit chooser here).
		if units, err := l.o.Resolver.UnitsOf(ctx, p.Subject); err == nil && len(units) == 1 {
			p.UnitID = units[0].ID
		} else if err != nil {
			return provider.Exchanged{}, err
		}
	}
	l.onLogin(cn.ID(), "success")
	l.recordExchange(ctx, audit.Event{Type: audit.LoginSuccess, Connector: cn.ID(), Client: r.ClientID, Principal: p.Subject, Unit: p.UnitID, Action: "token-exchange"})
	return provider.Exchanged{Subject: p.Subject, UnitID: p.UnitID, IDP: cn.ID(), ACR: id.ACR, AMR: id.AMR}, nil
}

// recordExchange audits a token-exchange login (there is no browser
// request, so no IP or user agent). An audit outage is logged; it does not
// stop the login.
func (l *Login) recordExchange(ctx context.Context, e audit.Event) {
	if l.o.Audit == nil {
		return
	}
	if err := l.o.Audit.Record(ctx, e); err != nil {
		l.log.ErrorContext(ctx, "audit write failed", "type", e.Type, "err", err)
	}
}
