package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/store"
)

func (a *API) registerClients(g *echo.Group) {
	g.POST("/clients", a.createClient)
	g.GET("/clients", a.listClients)
	g.GET("/clients/:client", a.getClient)
	g.PUT("/clients/:client", a.updateClient)
	g.POST("/clients/:client/secret", a.rotateClientSecret)
	g.DELETE("/clients/:client", a.deleteClient)
}

// clientView is a client as the admin API shows it: its metadata, where
// it came from, and the secret only in the answer that created it.
type clientView struct {
	clients.Metadata
	Source       string    `json:"source,omitempty"`
	ClientSecret string    `json:"client_secret,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// MarshalJSON merges the metadata (which has its own JSON form) with the
// other fields.
func (v clientView) MarshalJSON() ([]byte, error) {
	return mergeJSON(v.Metadata, struct {
		Source       string    `json:"source,omitempty"`
		ClientSecret string    `json:"client_secret,omitempty"`
		CreatedAt    time.Time `json:"created_at"`
		UpdatedAt    time.Time `json:"updated_at"`
	}{v.Source, v.ClientSecret, v.CreatedAt, v.UpdatedAt})
}

func viewClient(c *store.Client, secret string) clientView {
	return clientView{Metadata: clients.MetadataOf(c), Source: c.Source, ClientSecret: secret, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func auditClient(c *store.Client) map[string]any {
	if c == nil {
		return nil
	}
	m := clients.MetadataOf(c)
	return map[string]any{"name": m.Name, "application_type": m.ApplicationType, "auth_method": m.AuthMethod,
		"redirect_uris": m.RedirectURIs, "grant_types": m.GrantTypes, "scopes": m.Scopes, "connectors": m.Connectors,
		"id_token_signed_response_alg": m.IDTokenSignedResponseAlg,
		"backchannel_logout_uri":       m.BackchannelLogoutURI, "frontchannel_logout_uri": m.FrontchannelLogoutURI,
		"dpop_bound_access_tokens": m.DPoPBoundAccessTokens, "require_pushed_authorization_requests": m.RequirePushedAuthorizationRequests,
		"profile": m.Profile, "tls_client_auth_subject_dn": m.TLSClientAuthSubjectDN, "tls_client_auth_san_dns": m.TLSClientAuthSANDNS}
}

func (a *API) createClient(c echo.Context) error {
	var m clients.Metadata
	if err := decode(c, &m); err != nil {
		return a.fail(c, err)
	}
	cl, secret, err := a.o.Clients.Create(c.Request().Context(), m, clients.CreateOptions{By: clients.Admin})
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "clients.create", Principal: cl.ID, After: auditClient(cl)})
	return c.JSON(http.StatusCreated, viewClient(cl, secret))
}

func (a *API) listClients(c echo.Context) error {
	cursor, limit, err := paging(c)
	if err != nil {
		return a.fail(c, err)
	}
	cs, next, err := a.o.Clients.List(c.Request().Context(), cursor, limit)
	if err != nil {
		return a.fail(c, err)
	}
	out := make([]clientView, len(cs))
	for i, cl := range cs {
		out[i] = viewClient(cl, "")
	}
	return c.JSON(http.StatusOK, page[clientView]{Items: out, NextCursor: next})
}

func (a *API) getClient(c echo.Context) error {
	cl, err := a.o.Clients.Get(c.Request().Context(), c.Param("client"))
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("client"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, viewClient(cl, ""))
}

// updateClient replaces the client's metadata (PUT semantics, as RFC 7592
// does); the secret stays.
func (a *API) updateClient(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("client")
	var m clients.Metadata
	if err := decode(c, &m); err != nil {
		return a.fail(c, err)
	}
	if m.ID != "" && m.ID != id {
		return a.fail(c, badRequest("client_id", "client_id in the body must match the path or be left out"))
	}
	m.ID = id
	before, err := a.o.Clients.Get(ctx, id)
	if err == nil {
		var after *store.Client
		var secret string // set when the update made a public client confidential
		after, secret, err = a.o.Clients.Update(ctx, id, m, clients.Admin)
		if err == nil {
			a.record(c, audit.Event{Action: "clients.update", Principal: id, Before: auditClient(before), After: auditClient(after)})
			return c.JSON(http.StatusOK, viewClient(after, secret))
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("client"))
	}
	return a.fail(c, err)
}

func (a *API) rotateClientSecret(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("client")
	secret, err := a.o.Clients.RotateSecret(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("client"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "clients.rotate_secret", Principal: id})
	return c.JSON(http.StatusOK, map[string]string{"client_id": id, "client_secret": secret})
}

func (a *API) deleteClient(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("client")
	before, err := a.o.Clients.Get(ctx, id)
	if err == nil {
		err = a.o.Clients.Delete(ctx, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return a.fail(c, notFound("client"))
	}
	if err != nil {
		return a.fail(c, err)
	}
	a.record(c, audit.Event{Action: "clients.delete", Principal: id, Before: auditClient(before)})
	return c.NoContent(http.StatusNoContent)
}
