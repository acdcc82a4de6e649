package pages

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

// ClientID is the pages' built-in first-party client. It lives in memory
// only: every instance derives the same record and secret from the
// configuration, so nothing is written to the store and nobody can edit or
// delete it through the admin API.
const ClientID = config.PagesClientID

// CallbackPath is the client's redirect URI on the issuer's origin.
const CallbackPath = "/pages/callback"

// clientSecret is derived from the cookie key, so every instance redeems
// the codes another issued.
func clientSecret(cookieKey []byte) string {
	m := hmac.New(sha256.New, cookieKey)
	m.Write([]byte("gjjid pages client secret"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// FirstPartyClient is the pages' client record for the broker at issuer:
// a confidential web client of the code grant (the pages always send
// PKCE), redirecting only to the issuer's own origin. Its secret is
// derived from cookieKey.
func FirstPartyClient(issuer string, cookieKey []byte) (*store.Client, error) {
	origin, err := originOf(issuer)
	if err != nil {
		return nil, err
	}
	return &store.Client{
		ID: ClientID, Name: "住房公积金账号管理", SecretHash: secrets.Hash(clientSecret(cookieKey)),
		AuthMethod: "client_secret_basic", ApplicationType: "web",
		RedirectURIs:           []string{origin + CallbackPath},
		PostLogoutRedirectURIs: []string{origin + "/logged-out"},
		GrantTypes:             []string{"authorization_code"},
	}, nil
}

// WithClient returns st whose GetClient also finds c: the narrow hook by
// which the provider (and through it the login) sees the built-in client
// without it being stored.
func WithClient(l ClientLookup, c *store.Client) ClientLookup { return clientOverlay{l: l, c: c} }

// ClientLookup finds registered clients (provider.ClientLookup).
type ClientLookup interface {
	GetClient(ctx context.Context, id string) (*store.Client, error)
}

type clientOverlay struct {
	l ClientLookup
	c *store.Client
}

func (o clientOverlay) GetClient(ctx context.Context, id string) (*store.Client, error) {
	if id == o.c.ID {
		cp := *o.c
		return &cp, nil
	}
	return o.l.GetClient(ctx, id)
}
