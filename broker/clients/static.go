package clients

import (
	"errors"
	"fmt"
	"slices"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

// Static holds the configuration file's clients, built once at start and
// never changed: they are served from memory and never written to the
// shared store (as Dex's static clients), so instances started with
// different files — a rolling upgrade — cannot overwrite or delete each
// other's clients, and a restart leaves API-made clients alone. The file is
// their only source: the APIs refuse to change them (ErrReadOnly). A nil
// *Static holds no clients.
type Static struct {
	byID map[string]*store.Client
	ids  []string // sorted, for listing in ID order
}

// NewStatic converts the configuration file's clients. The configuration
// was validated already (config.Validate reports each problem with its
// YAML path); NewStatic refuses only what would make the set ambiguous or
// unusable: a missing or repeated ID, or a confidential client with no
// secret. A plain secret is hashed here (secrets.Hash) and not kept.
func NewStatic(cs []config.Client) (*Static, error) {
	s := &Static{byID: make(map[string]*store.Client, len(cs))}
	var errs []error
	for i, c := range cs {
		switch _, dup := s.byID[c.ID]; {
		case c.ID == "":
			errs = append(errs, fmt.Errorf("clients[%d].id: required", i))
			continue
		case dup:
			errs = append(errs, fmt.Errorf("clients[%d].id: duplicate client id %q", i, c.ID))
			continue
		case !c.Public && !slices.Contains(keyMethods, c.AuthMethod) && c.Secret == "" && c.SecretHash == "":
			errs = append(errs, fmt.Errorf("clients[%d] (%s): a confidential client needs secret or secret_hash", i, c.ID))
			continue
		}
		s.byID[c.ID] = fromConfig(c)
		s.ids = append(s.ids, c.ID)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configured clients: %w", errors.Join(errs...))
	}
	slices.Sort(s.ids)
	return s, nil
}

// fromConfig is the stored form of a configured client, marked
// store.SourceConfig.
func fromConfig(c config.Client) *store.Client {
	hash := c.SecretHash
	if c.Secret != "" {
		hash = secrets.Hash(c.Secret)
	}
	rec := &store.Client{ID: c.ID, Name: c.Name, SecretHash: hash, AuthMethod: c.AuthMethod,
		ApplicationType: c.ApplicationType, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		GrantTypes: c.GrantTypes, Scopes: c.Scopes, Connectors: c.Connectors,
		AccessTokenLifetime: c.AccessTokenLifetime, IDTokenLifetime: c.IDTokenLifetime, RefreshTokenLifetime: c.RefreshTokenLifetime,
		IDTokenSignedResponseAlg: c.IDTokenSignedResponseAlg, Source: store.SourceConfig,
		BackchannelLogoutURI: c.BackchannelLogoutURI, BackchannelLogoutSessionRequired: c.BackchannelLogoutSessionRequired,
		FrontchannelLogoutURI: c.FrontchannelLogoutURI, FrontchannelLogoutSessionRequired: c.FrontchannelLogoutSessionRequired,
		DPoPBoundAccessTokens: c.DPoPBoundAccessTokens, RequirePushedAuthorizationRequests: c.RequirePushedAuthorizationRequests,
		JWKS: c.JWKS, JWKSURI: c.JWKSURI, Profile: c.Profile,
		TLSClientAuthSubjectDN: c.TLSClientAuthSubjectDN, TLSClientAuthSANDNS: c.TLSClientAuthSANDNS}
	if c.Public {
		rec.AuthMethod = AuthNone
	}
	return copyClient(rec)
}

// Has reports whether the file defines a client with this ID.
func (s *Static) Has(id string) bool {
	if s == nil {
		return false
	}
	_, ok := s.byID[id]
	return ok
}

// get returns a copy of the configured client, which the caller may change.
func (s *Static) get(id string) (*store.Client, bool) {
	if s == nil {
		return nil, false
	}
	c, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	return copyClient(c), true
}

// after returns copies of the configured clients whose IDs sort after
// cursor ("" for all), in ID order.
func (s *Static) after(cursor string) []*store.Client {
	if s == nil {
		return nil
	}
	i, found := slices.BinarySearch(s.ids, cursor)
	if found {
		i++
	}
	out := make([]*store.Client, 0, len(s.ids)-i)
	for _, id := range s.ids[i:] {
		out = append(out, copyClient(s.byID[id]))
	}
	return out
}

// copyClient copies c deeply enough that changing the copy's lists leaves
// c alone.
func copyClient(c *store.Client) *store.Client {
	cp := *c
	cp.RedirectURIs = slices.Clone(c.RedirectURIs)
	cp.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	cp.GrantTypes = slices.Clone(c.GrantTypes)
	cp.Scopes = slices.Clone(c.Scopes)
	cp.Connectors = slices.Clone(c.Connectors)
	return &cp
}
