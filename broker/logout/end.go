package logout

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
)

// EndSession tells the clients of SSO session sessionID (its hashed ID)
// that it ended: back-channel clients through the queue, and it returns
// the front-channel logout URLs for the browser to load (none when the
// session ended without a browser). Errors are store errors; the caller
// ends the session regardless.
func (s *Service) EndSession(ctx context.Context, sessionID, reason string) ([]string, error) {
	if sessionID == "" {
		return nil, nil
	}
	ps, err := s.o.Store.TakeSessionParticipants(ctx, sessionID)
	if err != nil {
		return nil, fmt.Errorf("logout: take participants of a session: %w", err)
	}
	return s.end(ctx, ps, reason, false)
}

// EndSubject tells the clients of every login of subject (acting for
// unitID only, when given) that it ended, through the back channel. A
// client that did not ask for sid gets one token naming the subject alone,
// which ends all its sessions of the subject (Back-Channel Logout §2.4);
// one that did gets one per session.
func (s *Service) EndSubject(ctx context.Context, subject, unitID, reason string) error {
	ps, err := s.o.Store.TakeSubjectParticipants(ctx, subject, unitID)
	if err != nil {
		return fmt.Errorf("logout: take participants of %s: %w", subject, err)
	}
	_, err = s.end(ctx, ps, reason, unitID == "")
	return err
}

// end enqueues one delivery per back-channel client and session of ps (per
// client only, for clients without session_required, when wholeSubject)
// and returns the front-channel URLs.
func (s *Service) end(ctx context.Context, ps []store.LogoutParticipant, reason string, wholeSubject bool) ([]string, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	event := secrets.NewID()
	now := s.o.Now()
	var ds []*store.LogoutDelivery
	var frames []string
	seen := map[string]bool{}
	for _, p := range ps {
		c, err := s.o.Clients.Client(ctx, p.ClientID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue // the client was deleted since
		case err != nil:
			return nil, fmt.Errorf("logout: load client %s: %w", p.ClientID, err)
		}
		sid := SID(p.SessionID)
		if wholeSubject && !c.BackchannelLogoutSessionRequired {
			sid = "" // sub alone: every session of the subject
		}
		key := p.ClientID + "\x00" + sid
		if seen[key] {
			continue // one session acting for two units, or the whole subject: one message
		}
		seen[key] = true
		if c.FrontchannelLogoutURI != "" && sid != "" {
			frames = append(frames, frontChannelURL(c, s.o.Issuer, sid))
		}
		if c.BackchannelLogoutURI == "" {
			continue
		}
		ds = append(ds, &store.LogoutDelivery{
			ID: deliveryID(event, p.ClientID, sid), ClientID: p.ClientID, Subject: p.Subject, SID: sid,
			Reason: reason, CreatedAt: now, Deadline: now.Add(s.o.RetryFor),
		})
	}
	if len(ds) > 0 {
		if err := s.o.Store.EnqueueLogouts(ctx, ds, now); err != nil {
			return frames, fmt.Errorf("logout: enqueue %d back-channel logouts: %w", len(ds), err)
		}
		s.log.InfoContext(ctx, "back-channel logouts queued", "reason", reason, "count", len(ds))
		for _, d := range ds {
			s.audit(ctx, audit.Event{Type: audit.BackchannelLogout, Action: "logout.queue", Outcome: audit.Success,
				Reason: reason, Client: d.ClientID, Principal: d.Subject, After: map[string]any{"jti": d.ID}})
		}
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return frames, nil
}

// deliveryID names one logout token of one event: its jti, and the key
// that keeps the queue from holding (or sending) it twice.
func deliveryID(event, clientID, sid string) string {
	h := sha256.Sum256([]byte(event + "\x00" + clientID + "\x00" + sid))
	return base64.RawURLEncoding.EncodeToString(h[:18])
}

func (s *Service) audit(ctx context.Context, e audit.Event) {
	if s.o.Audit == nil {
		return
	}
	if e.Actor == "" {
		e.Actor = "broker"
	}
	if err := s.o.Audit.Record(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit write failed", "type", e.Type, "err", err)
	}
}
