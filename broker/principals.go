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
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
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

// Resolve maps an identity to a principal. The password connector already
// names the broker person; connectors with links arrive with the accounts
// issue.
func (d *directory) Resolve(ctx context.Context, id connectors.Identity) (login.Principal, error) {
	switch id.Kind {
	case connectors.KindPerson:
		if _, err := d.a.GetPerson(ctx, id.Subject); err != nil {
			return login.Principal{}, fmt.Errorf("resolve %s identity: %w", id.ConnectorID, err)
		}
		return login.Principal{Subject: id.Subject, UnitID: id.UnitID}, nil
	}
	return login.Principal{}, fmt.Errorf("resolve %s identity: kind %q has no link resolution yet", id.ConnectorID, id.Kind)
}

func (d *directory) UnitsOf(ctx context.Context, subject string) ([]login.Unit, error) {
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

// registerClients writes the config's clients to the store (the admin API
// manages the others). Plain secrets are hashed here and never stored.
func registerClients(ctx context.Context, st store.Clients, cs []config.Client) error {
	for _, c := range cs {
		hash := c.SecretHash
		if c.Secret != "" {
			hash = provider.Hash(c.Secret)
		}
		rec := &store.Client{ID: c.ID, Name: c.Name, SecretHash: hash, AuthMethod: c.AuthMethod,
			ApplicationType: c.ApplicationType, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
			GrantTypes: c.GrantTypes, Scopes: c.Scopes, Connectors: c.Connectors,
			AccessTokenLifetime: c.AccessTokenLifetime, IDTokenLifetime: c.IDTokenLifetime, RefreshTokenLifetime: c.RefreshTokenLifetime}
		if c.Public {
			rec.AuthMethod = "none"
		}
		if err := st.PutClient(ctx, rec); err != nil {
			return fmt.Errorf("register client %s: %w", c.ID, err)
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
