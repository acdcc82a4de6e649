package broker

import (
	"context"
	"strings"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/logout"
	"github.com/gjjid/gjjid/broker/provider"
)

// newLogout builds the back- and front-channel logout service over the
// client cache the provider and login share, and has the accounts service
// tell it of disabled agents, units and persons and of password resets.
func (b *Broker) newLogout(clients *provider.ClientCache) *logout.Service {
	cfg := b.Config
	s := logout.New(logout.Options{
		Store: b.Store, Clients: clients, Keys: keySource{b.Keys}, Issuer: cfg.Issuer,
		LoggedOutURL:   strings.TrimSuffix(cfg.Issuer, "/") + "/logged-out",
		RetryFor:       cfg.Logout.BackchannelRetryFor,
		ParticipantTTL: max(cfg.Sessions.Lifetime, cfg.Tokens.RefreshTokenLifetime),
		Audit:          b.Audit, Logger: b.log,
		Transport: b.Tracing.Transport(nil), // nil when tracing is off
	})
	b.Metrics.Register(s.Collectors()...)
	b.Accounts.OnEnded(func(ctx context.Context, e accounts.Ended) {
		if err := s.EndSubject(ctx, e.Subject, e.UnitID, e.Reason); err != nil {
			b.log.ErrorContext(ctx, "back-channel logout after an account change", "reason", e.Reason, "err", err)
		}
	})
	return s
}
