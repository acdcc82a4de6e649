package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// Principals answers the login (who is this identity, which units may it
// act for) and the provider (what do tokens say about a subject). The
// shapes are theirs: each declares the interface it consumes.
type Principals struct {
	s        *Service
	profiles *ttlCache[provider.Profile]
}

var (
	_ login.Resolver     = (*Principals)(nil)
	_ provider.Directory = (*Principals)(nil)
)

// NewPrincipals resolves identities and profiles over s.
func NewPrincipals(s *Service) *Principals {
	return &Principals{s: s, profiles: newTTLCache[provider.Profile](profileTTL, 10000)}
}

// Resolve maps an identity to a principal. Password and SMS logins
// already name the broker person; other connectors are resolved through
// their links, by the connector's link policy.
func (ps *Principals) Resolve(ctx context.Context, id connectors.Identity) (login.Principal, error) {
	if id.LinkPolicy == "" {
		if id.Kind != connectors.KindPerson {
			return login.Principal{}, fmt.Errorf("resolve %s identity: kind %q needs a link policy", id.ConnectorID, id.Kind)
		}
		if _, err := ps.s.GetPerson(ctx, id.Subject); err != nil {
			return login.Principal{}, fmt.Errorf("resolve %s identity: %w", id.ConnectorID, err)
		}
		return login.Principal{Subject: id.Subject, UnitID: id.UnitID}, nil
	}
	// A certificate may be bound by fingerprint or by issuer and serial:
	// the link may name any of the identity's subjects.
	for _, sub := range append([]string{id.Subject}, id.AltSubjects...) {
		l, err := ps.s.GetLink(ctx, id.ConnectorID, sub)
		switch {
		case err == nil:
			return ps.linked(ctx, l)
		case !errors.Is(err, store.ErrNotFound):
			return login.Principal{}, fmt.Errorf("resolve %s identity: %w", id.ConnectorID, err)
		}
	}
	switch id.LinkPolicy {
	case connectors.LinkBound:
		return login.Principal{}, fmt.Errorf("resolve %s identity: %w", id.ConnectorID, login.ErrNotBound)
	case connectors.LinkSelfBind:
		return login.Principal{}, fmt.Errorf("resolve %s identity: %w", id.ConnectorID, login.ErrNeedsBinding)
	case connectors.LinkAuto:
		return ps.autoLink(ctx, id)
	}
	return login.Principal{}, fmt.Errorf("resolve %s identity: unknown link policy %q", id.ConnectorID, id.LinkPolicy)
}

// linked is the principal a link names, if it may still log in.
func (ps *Principals) linked(ctx context.Context, l *store.Link) (login.Principal, error) {
	switch l.Kind {
	case store.LinkPerson, store.LinkAgent:
		p, err := ps.s.GetPerson(ctx, l.PersonID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && p.Status != StatusActive) {
			return login.Principal{}, fmt.Errorf("link at %s: person %s: %w", l.Connector, l.PersonID, login.ErrNoAccount)
		}
		if err != nil {
			return login.Principal{}, err
		}
		if l.Kind == store.LinkAgent {
			a, err := ps.s.Agent(ctx, l.PersonID, l.UnitID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && a.Status != StatusActive) {
				return login.Principal{}, fmt.Errorf("link at %s: agent %s of %s: %w", l.Connector, l.PersonID, l.UnitID, login.ErrNoAccount)
			}
			if err != nil {
				return login.Principal{}, err
			}
		}
		return login.Principal{Subject: l.PersonID, UnitID: l.UnitID}, nil
	case store.LinkUnit:
		return ps.unitPrincipal(ctx, l.UnitID)
	}
	return login.Principal{}, fmt.Errorf("link at %s: unknown kind %q", l.Connector, l.Kind)
}

// unitPrincipal is a unit logging in as itself (unit certificate, legal
// person): its subject is UnitSubject, acting for itself.
func (ps *Principals) unitPrincipal(ctx context.Context, unitID string) (login.Principal, error) {
	u, err := ps.s.GetUnit(ctx, unitID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Status != StatusActive) {
		return login.Principal{}, fmt.Errorf("unit %s: %w", unitID, login.ErrNoAccount)
	}
	if err != nil {
		return login.Principal{}, err
	}
	return login.Principal{Subject: UnitSubject(u.ID), UnitID: u.ID}, nil
}

// Link stores a self-bind link (made by the binding page) from the
// identity to the person it proved to be.
func (ps *Principals) Link(ctx context.Context, id connectors.Identity, personID string) error {
	_, err := ps.s.CreateLink(ctx, NewLink{Connector: id.ConnectorID, Subject: id.Subject, Kind: store.LinkPerson,
		PersonID: personID, Label: ids.MaskName(id.Name), CreatedBy: "self-bind"})
	return err
}

// UnitsOf lists the units subject may act for; none for a unit principal,
// which acts for itself.
func (ps *Principals) UnitsOf(ctx context.Context, subject string) ([]login.Unit, error) {
	if _, ok := UnitOfSubject(subject); ok {
		return nil, nil // a unit acts for itself; its principal names the unit
	}
	refs, err := ps.s.UnitsOf(ctx, subject)
	if err != nil {
		return nil, err
	}
	out := make([]login.Unit, len(refs))
	for i, r := range refs {
		out[i] = login.Unit{ID: r.ID, Name: r.Name}
	}
	return out, nil
}
