package broker

import (
	"context"
	"errors"
	"slices"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/connectors"
)

// subjectTokenExchange answers the provider's RFC 8693 exchanges of
// upstream subject tokens (the WeChat mini program's js_code): the
// connector redeems the token, the directory resolves the identity as a
// login would, and an identity nobody linked yet is refused with a hint to
// sign in once through /authorize with that connector (self-bind).
type subjectTokenExchange struct {
	conns []connectors.SubjectTokenExchange
	dir   *directory
	b     *Broker
}

func newSubjectTokenExchange(b *Broker, conns []connectors.Connector, dir *directory) (*subjectTokenExchange, []string) {
	x := &subjectTokenExchange{dir: dir, b: b}
	var types []string
	for _, c := range conns {
		if e, ok := c.(connectors.SubjectTokenExchange); ok {
			x.conns = append(x.conns, e)
		}
	}
	for _, c := range x.conns {
		for _, t := range c.SubjectTokenTypes() {
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	return x, types
}

func refused(desc string) error {
	return &provider.ExchangeError{Code: "invalid_grant", Description: desc}
}

func (x *subjectTokenExchange) exchange(ctx context.Context, r provider.ExchangeRequest) (provider.Exchanged, error) {
	var cn connectors.SubjectTokenExchange
	for _, c := range x.conns {
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
		x.b.Metrics.Login(cn.ID(), resultOf(err))
		if le, ok := connectors.AsLoginError(err); ok {
			x.record(ctx, audit.Event{Type: audit.LoginFailure, Outcome: audit.Failure, Reason: le.Code, Connector: cn.ID(), Client: r.ClientID})
			return provider.Exchanged{}, refused(le.Text("en"))
		}
		return provider.Exchanged{}, err
	}
	p, err := x.dir.Resolve(ctx, id)
	switch {
	case errors.Is(err, login.ErrNeedsBinding):
		x.b.Metrics.Login(cn.ID(), "needs_binding")
		return provider.Exchanged{}, &provider.ExchangeError{Code: "invalid_grant", IDPHint: cn.ID(),
			Description: "this " + cn.DisplayName("en") + " account is not linked to an agent yet: sign in once through the authorization endpoint with idp_hint=" + cn.ID() + " to link it (self-bind), then exchange again"}
	case errors.Is(err, login.ErrNotBound), errors.Is(err, login.ErrNoAccount):
		x.b.Metrics.Login(cn.ID(), "no_account")
		return provider.Exchanged{}, refused("no active account is linked to this upstream account")
	case err != nil:
		return provider.Exchanged{}, err
	}
	if p.UnitID == "" {
		// A person acting for exactly one unit acts for it; with several,
		// the token names none (the app has no unit chooser here).
		if units, err := x.dir.UnitsOf(ctx, p.Subject); err == nil && len(units) == 1 {
			p.UnitID = units[0].ID
		} else if err != nil {
			return provider.Exchanged{}, err
		}
	}
	x.b.Metrics.Login(cn.ID(), "success")
	x.record(ctx, audit.Event{Type: audit.LoginSuccess, Connector: cn.ID(), Client: r.ClientID, Principal: p.Subject, Unit: p.UnitID, Action: "token-exchange"})
	return provider.Exchanged{Subject: p.Subject, UnitID: p.UnitID, IDP: cn.ID(), ACR: id.ACR, AMR: id.AMR}, nil
}

func (x *subjectTokenExchange) record(ctx context.Context, e audit.Event) {
	if err := x.b.Audit.Record(ctx, e); err != nil {
		x.b.log.Error("audit write failed", "type", e.Type, "err", err)
	}
}

func resultOf(err error) string {
	if le, ok := connectors.AsLoginError(err); ok {
		return le.Code
	}
	return "error"
}
