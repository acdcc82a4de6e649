package connhost

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// VerifyAccessToken verifies one of the broker's access tokens.
func (h *Host) VerifyAccessToken(ctx context.Context, raw string) (connectors.AccessToken, error) {
	if h.o.Tokens == nil {
		return connectors.AccessToken{}, errors.New("connhost: no token verifier")
	}
	return accessToken(h.o.Tokens.Verify(ctx, raw))
}

// VerifyRequestToken verifies the Bearer or DPoP access token of r.
func (h *Host) VerifyRequestToken(ctx context.Context, r *http.Request) (connectors.AccessToken, error) {
	if h.o.Tokens == nil {
		return connectors.AccessToken{}, errors.New("connhost: no token verifier")
	}
	return accessToken(h.o.Tokens.VerifyRequest(ctx, r))
}

// accessToken turns the provider's answer into the connectors contract's.
func accessToken(t *provider.AccessToken, err error) (connectors.AccessToken, error) {
	switch {
	case errors.Is(err, provider.ErrNoToken):
		return connectors.AccessToken{}, fmt.Errorf("%w: %w", connectors.ErrNoToken, err)
	case errors.Is(err, dpop.ErrInvalidProof), errors.Is(err, dpop.ErrUseNonce):
		return connectors.AccessToken{}, fmt.Errorf("%w: %w", connectors.ErrInvalidProof, err)
	case errors.Is(err, provider.ErrInvalidToken):
		return connectors.AccessToken{}, fmt.Errorf("%w: %w", connectors.ErrInvalidToken, err)
	case err != nil:
		return connectors.AccessToken{}, err
	}
	return connectors.AccessToken{JTI: t.JTI, Grant: t.Grant(), Subject: t.Subject, ClientID: t.ClientID, Scopes: t.Scopes,
		AMR: t.AMR, ACR: t.ACR, IssuedAt: t.IssuedAt, Expiry: t.Expiry}, nil
}

// ClientName is a client's display name, through the client cache (the
// configuration file's clients over the stored ones).
func (h *Host) ClientName(ctx context.Context, id string) (string, error) {
	if h.o.Clients == nil {
		return "", errors.New("connhost: no client lookup")
	}
	cl, err := h.o.Clients.Client(ctx, id)
	if err != nil {
		return "", err
	}
	return cl.Name, nil
}

// FindByLogin returns the account of a normalised ID number or mobile;
// connectors.ErrUnknownAccount when nobody has it (or it is malformed).
func (h *Host) FindByLogin(ctx context.Context, login string) (connectors.Account, error) {
	p, err := h.o.Accounts.FindByLogin(ctx, login)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, accounts.ErrInvalid):
		return connectors.Account{}, fmt.Errorf("%w: %w", connectors.ErrUnknownAccount, err)
	case err != nil:
		return connectors.Account{}, err
	}
	return connectors.Account{PersonID: p.ID, Name: p.Name, PasswordHash: p.PasswordHash, MustChangePassword: p.MustChangePassword,
		Disabled: p.Status != accounts.StatusActive}, nil
}

// Person returns a broker person; connectors.ErrUnknownAccount for any
// other subject (a unit's) or an unknown one.
func (h *Host) Person(ctx context.Context, id string) (connectors.Account, error) {
	if _, unit := accounts.UnitOfSubject(id); unit || id == "" {
		return connectors.Account{}, fmt.Errorf("subject %q is not a person: %w", id, connectors.ErrUnknownAccount)
	}
	p, err := h.o.Accounts.GetPerson(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return connectors.Account{}, fmt.Errorf("%w: %w", connectors.ErrUnknownAccount, err)
	case err != nil:
		return connectors.Account{}, err
	}
	return connectors.Account{PersonID: p.ID, Name: p.Name, Disabled: p.Status != accounts.StatusActive}, nil
}

// VerifyPassword checks password against an argon2id PHC hash.
func (h *Host) VerifyPassword(hash, password string) (bool, error) {
	return h.o.Accounts.VerifyPassword(hash, password)
}

// UpgradePassword replaces a verified legacy hash by argon2id.
func (h *Host) UpgradePassword(ctx context.Context, personID, oldHash, password string) error {
	return h.o.Accounts.UpgradePassword(ctx, personID, oldHash, password)
}

// DummyVerify spends the time of a VerifyPassword.
func (h *Host) DummyVerify(password string) { h.o.Accounts.DummyVerify(password) }

// auditTypes are the event types connectors may record: only their own
// steps, never the broker's (a connector must not be able to forge a
// login.success).
var auditTypes = map[string]bool{
	connectors.AuditQRScan: true, connectors.AuditQRConfirm: true, connectors.AuditQRCancel: true,
	connectors.AuditQRDeviceRegister: true, connectors.AuditQRDeviceDelete: true,
	connectors.AuditSMSProviderFailure: true,
}

// Audit records a connector's step in the audit trail: the acting person
// as actor and principal, the relying party, the caller's IP and the
// details (masked again by the trail like every event).
func (h *Host) Audit(ctx context.Context, e connectors.AuditEvent) error {
	switch {
	case h.o.Audit == nil:
		return errors.New("connhost: no audit trail")
	case !auditTypes[e.Type]:
		return fmt.Errorf("connhost: connector %s may not record audit events of type %q", e.Connector, e.Type)
	case e.Type == connectors.AuditSMSProviderFailure && e.Outcome != audit.Failure:
		return fmt.Errorf("connhost: audit outcome %q of connector %s: want %s for %s", e.Outcome, e.Connector, audit.Failure, e.Type)
	case e.Type != connectors.AuditSMSProviderFailure && e.Outcome != audit.Success && e.Outcome != audit.Denied:
		// Only a provider's failure is neither a success nor a refusal.
		return fmt.Errorf("connhost: audit outcome %q of connector %s: want %s or %s", e.Outcome, e.Connector, audit.Success, audit.Denied)
	}
	ev := audit.Event{Type: e.Type, Outcome: e.Outcome, Reason: e.Reason, Connector: e.Connector, Client: e.ClientID,
		IP: e.IP, UserAgent: e.UserAgent}
	if e.PersonID != "" {
		ev.Actor, ev.Principal = "person:"+e.PersonID, e.PersonID
	}
	if len(e.Details) > 0 {
		ev.After = make(map[string]any, len(e.Details))
		for k, v := range e.Details {
			ev.After[k] = v
		}
	}
	return h.o.Audit.Record(ctx, ev)
}
