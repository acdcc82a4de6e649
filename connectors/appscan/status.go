package appscan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// Status is what the browser holding pollSecret may know of session id.
// Without the secret a session is indistinguishable from an unknown one.
// With poll, the request counts against max_polls (only the secret's
// holder can spend that budget). A confirmed session gets a fresh one-time
// login ticket, replacing any earlier one, so only the last answer the
// browser received redeems.
func (c *Connector) Status(ctx context.Context, id, pollSecret string, poll bool) (connectors.CrossDeviceStatus, error) {
	ph := hashSecret("poll", pollSecret)
	var (
		s   *connectors.QRSession
		err error
	)
	if poll {
		s, err = c.svc.PollQR(ctx, id, ph)
	} else {
		s, err = c.svc.GetQR(ctx, id)
		if err == nil && !sameHash(s.PollHash, ph) {
			err = connectors.ErrConflict
		}
	}
	switch {
	case errors.Is(err, connectors.ErrNotFound) || errors.Is(err, connectors.ErrConflict):
		return connectors.CrossDeviceStatus{}, notFound(err)
	case err != nil:
		return connectors.CrossDeviceStatus{}, fmt.Errorf("appscan: read QR session: %w", err)
	}
	if poll && s.Polls > int64(c.cfg.MaxPolls) {
		c.log.InfoContext(ctx, "appscan poll refused", "connector", c.ID(), "qr", short(id), "reason", "max_polls", "polls", s.Polls)
		return connectors.CrossDeviceStatus{}, rateLimited(errors.New("max_polls"))
	}
	st := connectors.CrossDeviceStatus{State: c.state(s), ExpiresAt: s.ExpiresAt}
	if sc, ok := decodeScan(s); ok && st.State != connectors.CrossDeviceExpired {
		st.Name = sc.Masked
	}
	if st.State != connectors.CrossDeviceConfirmed {
		return st, nil
	}
	ticket := connectors.RandomSecret()
	cur, err := c.svc.UpdateQR(ctx, id, connectors.QRUpdate{From: []string{connectors.CrossDeviceConfirmed}, PollHash: ph,
		NewTicketHash: hashSecret("ticket", ticket)})
	switch {
	case errors.Is(err, connectors.ErrConflict) && cur != nil:
		st.State = c.state(cur) // consumed in the meantime
		return st, nil
	case errors.Is(err, connectors.ErrNotFound):
		return connectors.CrossDeviceStatus{}, notFound(err)
	case err != nil:
		return connectors.CrossDeviceStatus{}, fmt.Errorf("appscan: issue login ticket: %w", err)
	}
	st.Ticket = ticket
	return st, nil
}

// PollTimeout is how long a long poll waits (poll_timeout).
func (c *Connector) PollTimeout() time.Duration { return c.cfg.PollTimeout }

// Watch wakes on every state change of session id, on any instance.
func (c *Connector) Watch(id string, wake func()) (stop func()) { return c.svc.WatchQR(id, wake) }

// Redeem consumes a confirmed session exactly once, for the browser that
// holds both its poll secret and its latest ticket and asks for the
// authorization request the session was started for, and returns the app
// user as a broker person: Subject is the person ID (LinkPolicy ""), amr the
// app session's plus "qr", acr at most the app session's.
func (c *Connector) Redeem(ctx context.Context, r connectors.Redemption) (connectors.Identity, error) {
	ph := hashSecret("poll", r.PollSecret)
	s, err := c.svc.UpdateQR(ctx, r.ID, connectors.QRUpdate{From: []string{connectors.CrossDeviceConfirmed},
		To: connectors.CrossDeviceConsumed, PollHash: ph, TicketHash: hashSecret("ticket", r.Ticket)})
	switch {
	case errors.Is(err, connectors.ErrConflict) && s != nil:
		reason := "wrong_state"
		if !sameHash(s.PollHash, ph) {
			reason = "wrong_poll_secret"
		} else if s.State == connectors.CrossDeviceConfirmed {
			reason = "wrong_ticket"
		}
		c.log.InfoContext(ctx, "appscan redemption refused", "connector", c.ID(), "qr", short(r.ID), "reason", reason, "state", c.state(s))
		if c.state(s) == connectors.CrossDeviceExpired {
			return connectors.Identity{}, expired(err)
		}
		return connectors.Identity{}, invalidTicket(err)
	case errors.Is(err, connectors.ErrNotFound):
		return connectors.Identity{}, expired(err)
	case err != nil:
		return connectors.Identity{}, fmt.Errorf("appscan: consume QR session: %w", err)
	}
	req, err := decodeRequest(s)
	if err != nil {
		return connectors.Identity{}, err
	}
	if req.AuthRequestID != r.AuthRequestID {
		c.log.WarnContext(ctx, "appscan redemption for another authorization request refused", "connector", c.ID(), "qr", short(r.ID))
		return connectors.Identity{}, invalidTicket(errors.New("session of another authorization request"))
	}
	sc, ok := decodeScan(s)
	if !ok {
		return connectors.Identity{}, fmt.Errorf("appscan: session %s: confirmed without a scan record", short(r.ID))
	}
	p, err := c.svc.Person(ctx, sc.Subject)
	switch {
	case errors.Is(err, connectors.ErrUnknownAccount) || (err == nil && p.Disabled):
		c.log.InfoContext(ctx, "appscan redemption refused", "connector", c.ID(), "qr", short(r.ID), "reason", "no_account", "person_id", sc.Subject)
		return connectors.Identity{}, noAccount(err)
	case err != nil:
		return connectors.Identity{}, fmt.Errorf("appscan: read person: %w", err)
	}
	amr := append([]string(nil), sc.AMR...)
	if !slices.Contains(amr, AMR) {
		amr = append(amr, AMR)
	}
	c.log.InfoContext(ctx, "appscan login", "connector", c.ID(), "qr", short(r.ID), "person_id", p.PersonID, "name", ids.MaskName(p.Name),
		"app_client", sc.ClientID, "remote_ip", req.RemoteIP)
	return connectors.Identity{
		ConnectorID: c.ID(),
		Subject:     p.PersonID,
		Kind:        connectors.KindPerson,
		Name:        p.Name,
		AMR:         amr,
		ACR:         c.capACR(sc.ACR),
		Claims:      map[string]any{"app_client_id": sc.ClientID},
	}, nil
}
