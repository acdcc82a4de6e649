package provider

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/gjjid/gjjid/broker/store"
)

// serveClientCredentials answers the client_credentials grant without the
// library's generic token pipeline. It is the hottest grant (services call
// it constantly), and the generic path's form schema decoding, claim map
// merging and per-token signer set-up were most of its cost. The checks
// are the library's (one client authentication method, secret, grant
// allowed) plus the broker's scope filter; the token is the same RFC 9068
// JWT the library makes.
//
// It writes nothing to the store and reads only the client, through the
// client cache (clientcache.go): while the store is unreachable it keeps
// answering for clients of the configuration file and, until their cache
// entry expires, for stored ones. A client that cannot be loaded because
// the store is unreachable gets 503, never invalid_client.
func (p *Provider) serveClientCredentials(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	id, secret, basic := r.BasicAuth()
	if basic {
		if r.PostForm.Has("client_secret") {
			tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "use one client authentication method, not Basic and client_secret together")
			return
		}
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			p.clientAuthFailed(w, basic)
			return
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	ctx := r.Context()
	if id == "" || secret == "" {
		p.clientAuthFailed(w, basic)
		return
	}
	if err := p.storage.AuthorizeClientIDSecret(ctx, id, secret); err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			writeUnavailable(w)
			return
		}
		p.clientAuthFailed(w, basic)
		return
	}
	tr, err := p.storage.ClientCredentialsTokenRequest(ctx, id, strings.Fields(r.PostForm.Get("scope")))
	if err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			writeUnavailable(w)
			return
		}
		if oe, ok := err.(*oidc.Error); ok {
			tokenError(w, http.StatusBadRequest, string(oe.ErrorType), oe.Description)
			return
		}
		tokenError(w, http.StatusInternalServerError, string(oidc.ServerError), "")
		return
	}
	req := tr.(serviceRequest)
	now := p.opts.now()
	lifetime, err := p.storage.accessLifetime(ctx, req)
	if err != nil {
		writeUnavailable(w)
		return
	}
	exp := now.Add(lifetime)
	kid, alg, key := p.storage.keys.SigningKey()
	claims := struct {
		Iss      string   `json:"iss"`
		Sub      string   `json:"sub"`
		Aud      []string `json:"aud"`
		Exp      int64    `json:"exp"`
		Iat      int64    `json:"iat"`
		Nbf      int64    `json:"nbf"`
		Jti      string   `json:"jti"`
		ClientID string   `json:"client_id"`
		Scope    string   `json:"scope"`
		Cnf      any      `json:"cnf,omitempty"`
	}{p.opts.Issuer, id, []string{id}, exp.Unix(), now.Unix(), now.Unix(), newAccessTokenID("", now), id, strings.Join(req.scopes, " "), nil}
	if jkt := proofJKT(ctx); jkt != "" {
		claims.Cnf = map[string]string{"jkt": jkt} // RFC 9449 §6.1
	}
	payload, _ := json.Marshal(claims)
	tok, err := p.jwt.sign(kid, alg, key, payload)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, string(oidc.ServerError), "")
		return
	}
	resp := struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Scope       string `json:"scope,omitempty"`
	}{tok, oidc.BearerToken, int64(exp.Sub(now).Seconds()), claims.Scope}
	b, _ := json.Marshal(resp)
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// clientAuthFailed: RFC 6749 §5.2, 401 invalid_client, with a challenge
// when the client tried Basic.
func (p *Provider) clientAuthFailed(w http.ResponseWriter, basic bool) {
	if basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+p.opts.Issuer+`"`)
	}
	tokenError(w, http.StatusUnauthorized, string(oidc.InvalidClient), "client authentication failed")
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	b, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{code, desc})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
