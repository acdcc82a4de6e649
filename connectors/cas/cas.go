// Package cas is the login through a CAS server (Apereo CAS Protocol
// 3.0.3; many provincial platforms and government IDaaS products speak
// it): the browser goes to /login?service=…, comes back with a service
// ticket, which is validated server to server at /p3/serviceValidate
// (/serviceValidate for CAS 2.0 servers); the answer's user and
// attributes are mapped by upstream.Mapping. CAS single logout (a
// logoutRequest POST to the service URL) ends the broker session of that
// ticket; at end_session the browser passes through CAS /logout.
//
// CAS cannot carry `state`, so the service URL is the broker's callback
// URL with the state in its query; it is kept with the login and sent
// byte-identical at validation, as §2.5.1 requires.
package cas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact"
	"github.com/gjjid/gjjid/connectors/upstream"
)

// Type is the registry type of this connector.
const Type = "cas"

var (
	_ connectors.RedirectLogin  = (*Connector)(nil)
	_ connectors.UpstreamLogout = (*Connector)(nil)
	_ connectors.SingleLogout   = (*Connector)(nil)
)

// Connector is an opened CAS connector.
type Connector struct {
	upstream.Base // ID, Type, DisplayName, ACR, SelfBinds; flows and the upstream client
	cfg           Config
}

var (
	kind = upstream.Kind[Config, *Connector]{Type: Type, MaxBody: MaxResponse, Parse: parseConfig,
		DefaultEN: "Sign in with the unified identity platform (CAS)",
		New:       func(b upstream.Base, cfg Config, _ connectors.Deps) *Connector { return &Connector{Base: b, cfg: cfg} }}

	// Open validates spec.Config and opens the connector.
	Open = kind.Open
	// Factory opens cas connectors for the registry.
	Factory = connectors.FactoryOf(Open)
)

type flow struct {
	Service string `json:"s"`
	Renew   bool   `json:"r,omitempty"`
}

// service is the callback URL with the state: what CAS returns to.
func service(callbackURL, state string) string {
	return callbackURL + "?" + url.Values{"state": {state}}.Encode()
}

// LoginURL is <login>?service=… (&renew=true when the relying party
// asked for prompt=login: CAS must not answer from its own session).
func (c *Connector) LoginURL(ctx context.Context, state, callbackURL string) (string, error) {
	f := flow{Service: service(callbackURL, state), Renew: connectors.LoginHintsFrom(ctx).ForceLogin}
	rec, _ := json.Marshal(f)
	if err := c.SaveFlow(ctx, state, rec); err != nil {
		return "", err
	}
	q := url.Values{"service": {f.Service}}
	if f.Renew {
		q.Set("renew", "true")
	}
	return c.cfg.LoginURL + "?" + q.Encode(), nil
}

// HandleCallback validates the ticket and maps the answer. The broker
// has checked and spent `state`.
//
// No error's text holds the ticket: a failure's code or text may quote
// the request.
func (c *Connector) HandleCallback(ctx context.Context, r *http.Request) (connectors.Identity, error) {
	var sent redact.Sent
	return c.Callback(ctx, r, &sent, c.handle)
}

func (c *Connector) handle(ctx context.Context, q url.Values, raw []byte, sent *redact.Sent) (connectors.Identity, error) {
	var f flow
	if err := json.Unmarshal(raw, &f); err != nil {
		return connectors.Identity{}, fmt.Errorf("cas %s: flow record: %w", c.ID(), err)
	}
	ticket := q.Get("ticket")
	sent.Add(ticket)
	if ticket == "" {
		// gateway mode or a user who left CAS without logging in.
		return connectors.Identity{}, upstream.Denied(errors.New("callback without ticket"))
	}
	if !ValidTicket(ticket) {
		return connectors.Identity{}, upstream.Invalid(errors.New("ticket is not a CAS service ticket (ST-…)"))
	}
	resp, err := c.validate(ctx, f, ticket)
	if err != nil {
		return connectors.Identity{}, err
	}
	if !resp.Success {
		return connectors.Identity{}, failure(resp.FailureCode, sent)
	}
	out, err := c.cfg.Mapping.Identity(c.ID(), resp.Document())
	if err != nil {
		return connectors.Identity{}, upstream.Attribute(err)
	}
	out.UpstreamSession = ticket
	return out, nil
}

// validate asks CAS about the ticket (§2.5): service byte-identical to
// the one sent to /login; renew=true again when it was asked there.
func (c *Connector) validate(ctx context.Context, f flow, ticket string) (*Response, error) {
	q := url.Values{"service": {f.Service}, "ticket": {ticket}}
	if f.Renew {
		q.Set("renew", "true")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.ValidateURL+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/xml, text/xml")
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cas %s: validate: %w", c.ID(), upstream.Redact(err))
	}
	body, err := upstream.ReadBody(resp)
	if err != nil {
		if errors.Is(err, upstream.ErrTooLarge) {
			return nil, upstream.Invalid(fmt.Errorf("validate: %w", err))
		}
		return nil, fmt.Errorf("cas %s: validate: %w", c.ID(), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("cas %s: validate: status %d", c.ID(), resp.StatusCode)
	}
	r, err := ParseResponse(body)
	if err != nil {
		return nil, upstream.Invalid(err)
	}
	return r, nil
}

// failure maps a CAS failure code (§2.5.3) to the login error. The code
// is quoted only after the request's values are removed; the failure
// text, free text that often quotes the ticket, never is.
func failure(code string, sent *redact.Sent) error {
	cause := fmt.Errorf("CAS failure %s", upstream.Clip(sent.Text(code)))
	switch code {
	case "INVALID_TICKET", "INVALID_TICKET_SPEC":
		return upstream.Invalid(fmt.Errorf("%w: the ticket is unknown, used or expired", cause))
	case "INVALID_SERVICE":
		return upstream.Invalid(fmt.Errorf("%w: the ticket was issued for another service", cause))
	case "INVALID_REQUEST", "UNAUTHORIZED_SERVICE_PROXY", "INVALID_PROXY_CALLBACK":
		return upstream.Invalid(cause)
	}
	return upstream.Failed(cause) // INTERNAL_ERROR and codes of later versions
}

// LogoutURL is <logout>?service=<returnURL with state> (§2.3.1); "" when
// logout is off.
func (c *Connector) LogoutURL(_ context.Context, state, returnURL string) (string, error) {
	if !c.cfg.Logout || c.cfg.LogoutURL == "" {
		return "", nil
	}
	return c.cfg.LogoutURL + "?" + url.Values{"service": {service(returnURL, state)}}.Encode(), nil
}

// LogoutSession reads a CAS single-logout POST (Appendix C) and returns
// the service ticket it names.
func (c *Connector) LogoutSession(_ context.Context, r *http.Request) (string, error) {
	if !c.cfg.SingleLogout {
		return "", errors.New("single_logout is off")
	}
	if r.Method != http.MethodPost {
		return "", errors.New("single logout must be a POST")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 2*MaxResponse)
	if err := r.ParseForm(); err != nil {
		return "", fmt.Errorf("single logout form: %w", err)
	}
	msg := r.PostForm.Get("logoutRequest")
	if msg == "" {
		return "", errors.New("single logout without logoutRequest")
	}
	return ParseLogoutRequest([]byte(msg))
}
