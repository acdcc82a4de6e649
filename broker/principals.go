package broker

import (
	"context"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

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
