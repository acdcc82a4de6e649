package broker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// ConnectorServices is what the broker hands connectors as
// connectors.Deps.Broker: the store's QR sessions (with wake-ups on every
// instance), counters and values, verification of the broker's own access
// tokens, client names and persons, all in the contract's types and with
// its errors (connectors.ErrNotFound, ErrConflict, ErrInvalidToken,
// ErrUnavailable), so connectors need no broker import. Cross-device
// connectors (appscan) assert the interfaces they declare over it.
type ConnectorServices struct {
	st       store.Store
	acc      *accounts.Service
	provider func() *provider.Provider
	audit    audit.Recorder
	// smsFailures counts SMS provider failures (the broker's metric);
	// nil: not counted.
	smsFailures func(connector, code string)
}

// NewConnectorServices adapts the broker's parts. The provider is built
// after the connectors are opened, so it is read at call time; nil (as in
// `gjjid config check`) makes token verification fail, and a nil rec makes
// every Audit call fail.
func NewConnectorServices(st store.Store, acc *accounts.Service, p func() *provider.Provider, rec audit.Recorder) *ConnectorServices {
	return &ConnectorServices{st: st, acc: acc, provider: p, audit: rec}
}

// services are the broker's ConnectorServices.
func (b *Broker) services() *ConnectorServices {
	s := NewConnectorServices(b.Store, b.Accounts, func() *provider.Provider { return b.Provider }, b.Audit)
	s.smsFailures = b.Metrics.SMSSendFailure
	return s
}

// SMSSendFailure passes an SMS connector's failed send to the metric
// gjjid_sms_send_failures_total (sms.FailureReporter).
func (c *ConnectorServices) SMSSendFailure(connector, code string) {
	if c.smsFailures != nil {
		c.smsFailures(connector, code)
	}
}

// connectorAuditTypes are the event types connectors may record: only
// their own steps, never the broker's (a connector must not be able to
// forge a login.success).
var connectorAuditTypes = map[string]bool{
	connectors.AuditQRScan: true, connectors.AuditQRConfirm: true, connectors.AuditQRCancel: true,
	connectors.AuditQRDeviceRegister: true, connectors.AuditQRDeviceDelete: true,
	connectors.AuditSMSProviderFailure: true,
}

// Audit records a connector's step in the audit trail: the acting person
// as actor and principal, the relying party, the caller's IP and the
// details (masked again by the trail like every event).
func (c *ConnectorServices) Audit(ctx context.Context, e connectors.AuditEvent) error {
	switch {
	case c.audit == nil:
		return errors.New("broker: no audit trail")
	case !connectorAuditTypes[e.Type]:
		return fmt.Errorf("broker: connector %s may not record audit events of type %q", e.Connector, e.Type)
	case e.Type == connectors.AuditSMSProviderFailure && e.Outcome != audit.Failure:
		return fmt.Errorf("broker: audit outcome %q of connector %s: want %s for %s", e.Outcome, e.Connector, audit.Failure, e.Type)
	case e.Type != connectors.AuditSMSProviderFailure && e.Outcome != audit.Success && e.Outcome != audit.Denied:
		// Only a provider's failure is neither a success nor a refusal.
		return fmt.Errorf("broker: audit outcome %q of connector %s: want %s or %s", e.Outcome, e.Connector, audit.Success, audit.Denied)
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
	return c.audit.Record(ctx, ev)
}

// contractErr adds the contract's sentinel to a store error, keeping the
// cause.
func contractErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %w", connectors.ErrNotFound, err)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %w", connectors.ErrConflict, err)
	case errors.Is(err, store.ErrUnavailable):
		return fmt.Errorf("%w: %w", connectors.ErrUnavailable, err)
	}
	return err
}

func toStoreQR(s *connectors.QRSession) *store.QRSession {
	return &store.QRSession{ID: s.ID, State: s.State, ExpiresAt: s.ExpiresAt, PollHash: s.PollHash, AppSession: s.AppSession,
		TicketHash: s.TicketHash, Polls: s.Polls, Data: s.Data, AppData: s.AppData}
}

func fromStoreQR(s *store.QRSession) *connectors.QRSession {
	if s == nil {
		return nil
	}
	return &connectors.QRSession{ID: s.ID, State: s.State, ExpiresAt: s.ExpiresAt, PollHash: s.PollHash, AppSession: s.AppSession,
		TicketHash: s.TicketHash, Polls: s.Polls, Data: s.Data, AppData: s.AppData}
}

// CreateQR stores a new QR session.
func (c *ConnectorServices) CreateQR(ctx context.Context, s *connectors.QRSession, keep time.Duration) error {
	return contractErr(c.st.CreateQR(ctx, toStoreQR(s), keep))
}

// GetQR reads a QR session.
func (c *ConnectorServices) GetQR(ctx context.Context, id string) (*connectors.QRSession, error) {
	s, err := c.st.GetQR(ctx, id)
	return fromStoreQR(s), contractErr(err)
}

// PollQR counts a browser poll.
func (c *ConnectorServices) PollQR(ctx context.Context, id, pollHash string) (*connectors.QRSession, error) {
	s, err := c.st.PollQR(ctx, id, pollHash)
	return fromStoreQR(s), contractErr(err)
}

// UpdateQR applies one compare-and-set step.
func (c *ConnectorServices) UpdateQR(ctx context.Context, id string, u connectors.QRUpdate) (*connectors.QRSession, error) {
	s, err := c.st.UpdateQR(ctx, id, store.QRUpdate{From: u.From, To: u.To, AppSession: u.AppSession, PollHash: u.PollHash,
		TicketHash: u.TicketHash, NewTicketHash: u.NewTicketHash, AppData: u.AppData})
	return fromStoreQR(s), contractErr(err)
}

// AddQRToAuthRequest counts a QR code on its authorization request.
func (c *ConnectorServices) AddQRToAuthRequest(ctx context.Context, authRequestID string) (int64, error) {
	n, err := c.st.AddQRToAuthRequest(ctx, authRequestID)
	return n, contractErr(err)
}

// WatchQR wakes on the session's state changes on any instance.
func (c *ConnectorServices) WatchQR(id string, wake func()) (stop func()) {
	return c.st.WatchQR(id, wake)
}

// Incr counts in an expiring window.
func (c *ConnectorServices) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	n, err := c.st.Incr(ctx, key, ttl)
	return n, contractErr(err)
}

// SetValue stores a short-lived value.
func (c *ConnectorServices) SetValue(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return contractErr(c.st.SetValue(ctx, key, v, ttl))
}

// AddValue stores a value unless the key holds one.
func (c *ConnectorServices) AddValue(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return contractErr(c.st.AddValue(ctx, key, v, ttl))
}

// GetValue reads a value.
func (c *ConnectorServices) GetValue(ctx context.Context, key string) ([]byte, error) {
	v, err := c.st.GetValue(ctx, key)
	return v, contractErr(err)
}

// DeleteValue forgets key.
func (c *ConnectorServices) DeleteValue(ctx context.Context, key string) error {
	return contractErr(c.st.DeleteValue(ctx, key))
}

// VerifyAccessToken verifies one of the broker's access tokens.
func (c *ConnectorServices) VerifyAccessToken(ctx context.Context, raw string) (connectors.AccessToken, error) {
	var p *provider.Provider
	if c.provider != nil {
		p = c.provider()
	}
	if p == nil {
		return connectors.AccessToken{}, errors.New("broker: access tokens cannot be verified before the provider is mounted")
	}
	t, err := p.VerifyAccessToken(ctx, raw)
	if errors.Is(err, provider.ErrInvalidToken) {
		return connectors.AccessToken{}, fmt.Errorf("%w: %w", connectors.ErrInvalidToken, err)
	}
	if err != nil {
		return connectors.AccessToken{}, contractErr(err)
	}
	return connectors.AccessToken{JTI: t.JTI, Grant: t.Grant(), Subject: t.Subject, ClientID: t.ClientID, Scopes: t.Scopes,
		AMR: t.AMR, ACR: t.ACR, IssuedAt: t.IssuedAt, Expiry: t.Expiry}, nil
}

// ClientName is a client's display name, from the provider's client cache
// once it is mounted.
func (c *ConnectorServices) ClientName(ctx context.Context, id string) (string, error) {
	var (
		cl  *store.Client
		err error
	)
	if p := c.providerOrNil(); p != nil {
		cl, err = p.Client(ctx, id)
	} else {
		cl, err = c.st.GetClient(ctx, id)
	}
	if err != nil {
		return "", contractErr(err)
	}
	return cl.Name, nil
}

func (c *ConnectorServices) providerOrNil() *provider.Provider {
	if c.provider == nil {
		return nil
	}
	return c.provider()
}

// Person returns a broker person; connectors.ErrUnknownAccount for any
// other subject (a unit's) or an unknown one.
func (c *ConnectorServices) Person(ctx context.Context, id string) (connectors.Account, error) {
	if _, unit := accounts.UnitOfSubject(id); unit || id == "" {
		return connectors.Account{}, fmt.Errorf("subject %q is not a person: %w", id, connectors.ErrUnknownAccount)
	}
	p, err := c.acc.GetPerson(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return connectors.Account{}, fmt.Errorf("%w: %w", connectors.ErrUnknownAccount, err)
	case err != nil:
		return connectors.Account{}, contractErr(err)
	}
	return connectors.Account{PersonID: p.ID, Name: p.Name, Disabled: p.Status != accounts.StatusActive}, nil
}

// FindByLogin finds a person by ID number or mobile.
func (c *ConnectorServices) FindByLogin(ctx context.Context, login string) (connectors.Account, error) {
	a, err := c.acc.Directory().FindByLogin(ctx, login)
	if err != nil {
		return connectors.Account{}, contractErr(err)
	}
	a.PasswordHash = "" // the simulated app needs no password
	return a, nil
}

// mountCrossDevice serves the APIs of cross-device connectors (the app API
// of appscan) at the path prefixes they claim; two connectors claiming one
// prefix is a configuration error.
func (b *Broker) mountCrossDevice(e *echo.Echo, conns []connectors.Connector) error {
	owner := map[string]string{}
	for _, cn := range conns {
		cd, ok := cn.(connectors.CrossDevice)
		if !ok {
			continue
		}
		wrapped := echo.WrapHandler(cd.Handler())
		// The connector's API sees the caller's IP as the broker does
		// (trusted proxies considered), for its rate limits and audit.
		h := func(c echo.Context) error {
			r := c.Request()
			c.SetRequest(r.WithContext(connectors.WithRemoteIP(r.Context(), c.RealIP())))
			return wrapped(c)
		}
		for _, p := range cd.Paths() {
			if other, taken := owner[p]; taken {
				return fmt.Errorf("connectors %s and %s both serve %s: configure one %s connector", other, cn.ID(), p, cn.Type())
			}
			owner[p] = cn.ID()
			base := strings.TrimSuffix(p, "/")
			e.Any(base, h)
			e.Any(base+"/*", h)
		}
	}
	return nil
}
