package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// directory answers the login (who is this identity, which units may it act
// for) and the provider (what do tokens say about a subject).
type directory struct {
	a        *accounts.Service
	profiles *ttlCache[provider.Profile]
}

var (
	_ login.Resolver     = (*directory)(nil)
	_ provider.Directory = (*directory)(nil)
)

// profileTTL bounds how stale a name, unit name or role in a token may be.
// Every token request needs the profile, and it costs three store round
// trips; a renamed unit or changed role shows within this time.
const profileTTL = 5 * time.Second

func newDirectory(a *accounts.Service) *directory {
	return &directory{a: a, profiles: newTTLCache[provider.Profile](profileTTL, 10000)}
}

// Resolve maps an identity to a principal. Password and SMS logins
// already name the broker person; other connectors are resolved through
// their links, by the connector's link policy.
func (d *directory) Resolve(ctx context.Context, id connectors.Identity) (login.Principal, error) {
	if id.LinkPolicy == "" {
		if id.Kind != connectors.KindPerson {
			return login.Principal{}, fmt.Errorf("resolve %s identity: kind %q needs a link policy", id.ConnectorID, id.Kind)
		}
		if _, err := d.a.GetPerson(ctx, id.Subject); err != nil {
			return login.Principal{}, fmt.Errorf("resolve %s identity: %w", id.ConnectorID, err)
		}
		return login.Principal{Subject: id.Subject, UnitID: id.UnitID}, nil
	}
	// A certificate may be bound by fingerprint or by issuer and serial:
	// the link may name any of the identity's subjects.
	for _, sub := range append([]string{id.Subject}, id.AltSubjects...) {
		l, err := d.a.GetLink(ctx, id.ConnectorID, sub)
		switch {
		case err == nil:
			return d.linked(ctx, l)
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
		return d.autoLink(ctx, id)
	}
	return login.Principal{}, fmt.Errorf("resolve %s identity: unknown link policy %q", id.ConnectorID, id.LinkPolicy)
}

// linked is the principal a link names, if it may still log in.
func (d *directory) linked(ctx context.Context, l *store.Link) (login.Principal, error) {
	switch l.Kind {
	case store.LinkPerson, store.LinkAgent:
		p, err := d.a.GetPerson(ctx, l.PersonID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && p.Status != accounts.StatusActive) {
			return login.Principal{}, fmt.Errorf("link at %s: person %s: %w", l.Connector, l.PersonID, login.ErrNoAccount)
		}
		if err != nil {
			return login.Principal{}, err
		}
		if l.Kind == store.LinkAgent {
			a, err := d.a.Agent(ctx, l.PersonID, l.UnitID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && a.Status != accounts.StatusActive) {
				return login.Principal{}, fmt.Errorf("link at %s: agent %s of %s: %w", l.Connector, l.PersonID, l.UnitID, login.ErrNoAccount)
			}
			if err != nil {
				return login.Principal{}, err
			}
		}
		return login.Principal{Subject: l.PersonID, UnitID: l.UnitID}, nil
	case store.LinkUnit:
		return d.unitPrincipal(ctx, l.UnitID)
	}
	return login.Principal{}, fmt.Errorf("link at %s: unknown kind %q", l.Connector, l.Kind)
}

// unitPrincipal is a unit logging in as itself (unit certificate, legal
// person): its subject is accounts.UnitSubject, acting for itself.
func (d *directory) unitPrincipal(ctx context.Context, unitID string) (login.Principal, error) {
	u, err := d.a.GetUnit(ctx, unitID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Status != accounts.StatusActive) {
		return login.Principal{}, fmt.Errorf("unit %s: %w", unitID, login.ErrNoAccount)
	}
	if err != nil {
		return login.Principal{}, err
	}
	return login.Principal{Subject: accounts.UnitSubject(u.ID), UnitID: u.ID}, nil
}

// autoLink links an identity that proves its principal by itself: a unit
// identity by its credit code, a person by a verified ID number the
// connector put into Claims ("id_type", "id_number"). A unit or person
// the broker does not know yet is created when the identity names it
// (unit: Claims["unit_name"] or Name; person: Name); a disabled one
// stays refused.
func (d *directory) autoLink(ctx context.Context, id connectors.Identity) (login.Principal, error) {
	link := accounts.NewLink{Connector: id.ConnectorID, Subject: id.Subject, CreatedBy: "auto", Label: ids.MaskName(id.Name)}
	var p login.Principal
	var err error
	switch {
	case (id.Kind == connectors.KindUnit || id.Kind == connectors.KindLegalPerson) && id.UnitID != "":
		if err = d.ensureUnit(ctx, id); err != nil {
			return login.Principal{}, fmt.Errorf("auto link at %s: %w", id.ConnectorID, err)
		}
		if p, err = d.unitPrincipal(ctx, id.UnitID); err != nil {
			return login.Principal{}, err
		}
		link.Kind, link.UnitID = store.LinkUnit, p.UnitID
	case id.Kind == connectors.KindUnit && id.Claims["org_code"] != nil:
		// A certificate from before 2015 names the unit by its 组织机构代码,
		// which is positions 9–17 of the credit code the broker knows.
		org, _ := id.Claims["org_code"].(string)
		u, ferr := d.a.FindUnitByOrgCode(ctx, org)
		if errors.Is(ferr, store.ErrNotFound) {
			return login.Principal{}, fmt.Errorf("auto link at %s: no unit with this organisation code: %w", id.ConnectorID, login.ErrNoAccount)
		}
		if ferr != nil {
			return login.Principal{}, ferr
		}
		if p, err = d.unitPrincipal(ctx, u.ID); err != nil {
			return login.Principal{}, err
		}
		link.Kind, link.UnitID = store.LinkUnit, p.UnitID
	case id.Kind == connectors.KindPerson:
		typ, _ := id.Claims["id_type"].(string)
		num, _ := id.Claims["id_number"].(string)
		if num == "" {
			return login.Principal{}, fmt.Errorf("auto link at %s: no verified ID number: %w", id.ConnectorID, login.ErrNoAccount)
		}
		if typ == "" {
			typ = accounts.IDTypeResident
		}
		person, ferr := d.a.FindByIDNumber(ctx, typ, num)
		if errors.Is(ferr, store.ErrNotFound) && id.Name != "" {
			person, ferr = d.createPerson(ctx, id.Name, typ, num)
		}
		if errors.Is(ferr, store.ErrNotFound) || errors.Is(ferr, accounts.ErrInvalid) || (ferr == nil && person.Status != accounts.StatusActive) {
			return login.Principal{}, fmt.Errorf("auto link at %s: %w", id.ConnectorID, login.ErrNoAccount)
		}
		if ferr != nil {
			return login.Principal{}, ferr
		}
		p = login.Principal{Subject: person.ID}
		link.Kind, link.PersonID = store.LinkPerson, person.ID
	default:
		return login.Principal{}, fmt.Errorf("auto link at %s: kind %q: %w", id.ConnectorID, id.Kind, login.ErrNoAccount)
	}
	if _, err := d.a.CreateLink(ctx, link); err != nil && !errors.Is(err, store.ErrConflict) {
		return login.Principal{}, fmt.Errorf("auto link at %s: %w", id.ConnectorID, err)
	}
	return p, nil
}

// ensureUnit creates the unit of a unit identity when the broker does
// not know it yet (a legal person of the provincial platform whose unit
// has not used the hall before).
func (d *directory) ensureUnit(ctx context.Context, id connectors.Identity) error {
	_, err := d.a.GetUnit(ctx, id.UnitID)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	name, _ := id.Claims["unit_name"].(string)
	if name == "" {
		name = id.Name
	}
	if name == "" {
		return nil // unitPrincipal answers ErrNoAccount
	}
	if _, err := d.a.CreateUnit(ctx, id.UnitID, "", name); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}

// createPerson creates the person a verified ID number names; a
// concurrent login that created it first wins.
func (d *directory) createPerson(ctx context.Context, name, idType, number string) (*store.Person, error) {
	p, err := d.a.CreatePerson(ctx, accounts.NewPerson{Name: name, IDType: idType, IDNumber: number})
	if errors.Is(err, store.ErrConflict) {
		return d.a.FindByIDNumber(ctx, idType, number)
	}
	return p, err
}

// Link stores a self-bind link (made by the binding page) from the
// identity to the person it proved to be.
func (d *directory) Link(ctx context.Context, id connectors.Identity, personID string) error {
	_, err := d.a.CreateLink(ctx, accounts.NewLink{Connector: id.ConnectorID, Subject: id.Subject, Kind: store.LinkPerson,
		PersonID: personID, Label: ids.MaskName(id.Name), CreatedBy: "self-bind"})
	return err
}

func (d *directory) UnitsOf(ctx context.Context, subject string) ([]login.Unit, error) {
	if _, ok := accounts.UnitOfSubject(subject); ok {
		return nil, nil // a unit acts for itself; its principal names the unit
	}
	refs, err := d.a.UnitsOf(ctx, subject)
	if err != nil {
		return nil, err
	}
	out := make([]login.Unit, len(refs))
	for i, r := range refs {
		out[i] = login.Unit{ID: r.ID, Name: r.Name}
	}
	return out, nil
}

// Profile is what tokens say about subject acting for unitID. Subjects that
// are not persons (client_credentials) have no profile.
func (d *directory) Profile(ctx context.Context, subject, unitID string) (provider.Profile, error) {
	key := subject + "\x00" + unitID
	if p, ok := d.profiles.get(key); ok {
		return p, nil
	}
	p, err := d.loadProfile(ctx, subject, unitID)
	if err == nil {
		d.profiles.put(key, p)
	}
	return p, err
}

func (d *directory) loadProfile(ctx context.Context, subject, unitID string) (provider.Profile, error) {
	if unit, ok := accounts.UnitOfSubject(subject); ok {
		u, err := d.a.GetUnit(ctx, unit)
		if errors.Is(err, store.ErrNotFound) {
			return provider.Profile{}, nil
		}
		if err != nil {
			return provider.Profile{}, err
		}
		// A unit principal is the unit acting as itself, the 法人 (legal
		// person): a provincial legal-person login or a unit certificate.
		return provider.Profile{Name: u.Name, UnitName: u.Name, Roles: []string{accounts.RoleLegalPerson}}, nil
	}
	p, err := d.a.GetPerson(ctx, subject)
	if errors.Is(err, store.ErrNotFound) {
		return provider.Profile{}, nil
	}
	if err != nil {
		return provider.Profile{}, err
	}
	prof := provider.Profile{Name: p.Name}
	if unitID == "" {
		return prof, nil
	}
	refs, err := d.a.UnitsOf(ctx, subject)
	if err != nil {
		return provider.Profile{}, err
	}
	for _, r := range refs {
		if r.ID == unitID {
			prof.UnitName, prof.Roles = r.Name, slices.Clone(r.Roles)
		}
	}
	return prof, nil
}

// IDNumber unseals the person's ID number for the gjj:id_number scope.
// It is not cached: it is asked rarely, and plain ID numbers should live
// in memory no longer than one answer.
func (d *directory) IDNumber(ctx context.Context, subject string) (string, string, bool, error) {
	p, err := d.a.GetPerson(ctx, subject)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	n, err := d.a.UnsealIDNumber(p)
	if err != nil {
		return "", "", false, err
	}
	return p.IDType, n, true, nil
}

func seed(ctx context.Context, a *accounts.Service, s *config.Seed) error {
	units := make([]accounts.SeedUnit, len(s.Units))
	for i, u := range s.Units {
		units[i] = accounts.SeedUnit{ID: u.ID, CustomerNo: u.CustomerNo, Name: u.Name}
	}
	persons := make([]accounts.SeedPerson, len(s.Persons))
	for i, p := range s.Persons {
		persons[i] = accounts.SeedPerson{Name: p.Name, IDType: p.IDType, IDNumber: p.IDNumber, Mobile: p.Mobile,
			Password: p.Password, Units: p.Units, Roles: p.Roles}
	}
	return a.Seed(ctx, units, persons)
}

// registerClients writes the config's clients to the store, marked
// store.SourceConfig so the admin API and dynamic registration leave them
// alone (the file wins: a client of the same ID made through an API is
// replaced). Clients an earlier configuration defined and this one does not
// are deleted. Plain secrets are hashed here and never stored.
func registerClients(ctx context.Context, st store.Clients, cs []config.Client) error {
	for _, c := range cs {
		hash := c.SecretHash
		if c.Secret != "" {
			hash = secrets.Hash(c.Secret)
		}
		rec := &store.Client{ID: c.ID, Name: c.Name, SecretHash: hash, AuthMethod: c.AuthMethod,
			ApplicationType: c.ApplicationType, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
			GrantTypes: c.GrantTypes, Scopes: c.Scopes, Connectors: c.Connectors,
			AccessTokenLifetime: c.AccessTokenLifetime, IDTokenLifetime: c.IDTokenLifetime, RefreshTokenLifetime: c.RefreshTokenLifetime,
			Source: store.SourceConfig}
		if c.Public {
			rec.AuthMethod = "none"
		}
		if err := st.PutClient(ctx, rec); err != nil {
			return fmt.Errorf("register client %s: %w", c.ID, err)
		}
	}
	return pruneConfigClients(ctx, st, cs)
}

// pruneConfigClients deletes config-sourced clients that cs no longer has:
// the file is their only source, and the APIs refuse to delete them.
func pruneConfigClients(ctx context.Context, st store.Clients, cs []config.Client) error {
	keep := make(map[string]bool, len(cs))
	for _, c := range cs {
		keep[c.ID] = true
	}
	var stale []string
	for cursor := ""; ; {
		page, next, err := st.ListClients(ctx, cursor, 500)
		if err != nil {
			return fmt.Errorf("list clients: %w", err)
		}
		for _, c := range page {
			if c.Source == store.SourceConfig && !keep[c.ID] {
				stale = append(stale, c.ID)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for _, id := range stale {
		if err := st.DeleteClient(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("remove client %s, no longer configured: %w", id, err)
		}
	}
	return nil
}

func keyAlgorithm(s string) jose.SignatureAlgorithm {
	if s == "" {
		return jose.ES256
	}
	return jose.SignatureAlgorithm(s)
}
