package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

// Pushed authorization requests (RFC 9126). A client POSTs the parameters
// of its authorization request to /oauth/par, authenticated as at the
// token endpoint, and gets a one-time request_uri to send the browser with
// instead. The parameters never travel through the browser, so they
// cannot be read or changed there, and they were checked before the user
// sees anything.
//
// The library has no PAR: the pushed parameters are validated with its
// own validation, kept in the store's Values under the hash of the
// reference, and replayed into the library's /authorize as if the browser
// had sent them.

// PAREndpoint is the path of the pushed authorization request endpoint.
const PAREndpoint = "/oauth/par"

// requestURIPrefix is the URN of RFC 9126 §2.2.
const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// maxPARLifetime bounds request_uri lifetimes (FAPI 2.0 and RFC 9126
// §2.2 advise short ones).
const maxPARLifetime = 60 * time.Second

// pushed is what the store keeps of a push.
type pushed struct {
	ClientID string     `json:"client_id"`
	Params   url.Values `json:"params"`
}

// clientAuthParams are the token-endpoint authentication parameters of a
// push: they authenticate the push and are not part of the request.
var clientAuthParams = []string{"client_secret", "client_assertion", "client_assertion_type"}

// servePAR is the pushed authorization request endpoint (RFC 9126 §2).
func (p *Provider) servePAR(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		h.Set("Allow", http.MethodPost)
		tokenError(w, http.StatusMethodNotAllowed, string(oidc.InvalidRequest), "use POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "the body is not a form")
		return
	}
	ctx := r.Context()
	cl, ok := p.exchangeClient(ctx, w, r)
	if !ok {
		return
	}
	f := r.PostForm
	switch {
	case f.Has("request_uri"):
		// §2.1: a push may not refer to another push.
		tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "request_uri is not allowed in a pushed authorization request")
		return
	case f.Has("request"):
		tokenError(w, http.StatusBadRequest, "request_not_supported", "request objects are not supported")
		return
	case f.Get("client_id") != "" && f.Get("client_id") != cl.c.ID:
		tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "client_id is not the authenticated client")
		return
	}
	params := url.Values{}
	for k, v := range f {
		if !slices.Contains(clientAuthParams, k) {
			params[k] = v
		}
	}
	params.Set("client_id", cl.c.ID)
	if err := p.validatePushed(ctx, params, cl); err != nil {
		var oe *oidc.Error
		if !errors.As(err, &oe) {
			oe = oidc.ErrInvalidRequest().WithDescription("invalid authorization request")
		}
		tokenError(w, http.StatusBadRequest, string(oe.ErrorType), oe.Description)
		return
	}
	ref := secrets.Random(32)
	b, _ := json.Marshal(pushed{ClientID: cl.c.ID, Params: params})
	lifetime := p.parLifetime()
	if err := p.storage.st.SetValue(ctx, parKey(ref), b, lifetime); err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			writeUnavailable(w)
			return
		}
		p.storage.log.Error("save pushed authorization request", "client", cl.c.ID, "err", err)
		tokenError(w, http.StatusInternalServerError, string(oidc.ServerError), "")
		return
	}
	out, _ := json.Marshal(struct {
		RequestURI string `json:"request_uri"`
		ExpiresIn  int64  `json:"expires_in"`
	}{requestURIPrefix + ref, int64(lifetime / time.Second)})
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(out)
}

// validatePushed applies what /authorize will check (the library's
// validation and the broker's PKCE rule) before a reference is handed out.
func (p *Provider) validatePushed(ctx context.Context, params url.Values, cl *client) error {
	req, err := op.ParseAuthorizeRequest(&http.Request{Method: http.MethodGet, URL: &url.URL{RawQuery: params.Encode()}}, p.op.Decoder())
	if err != nil {
		return err
	}
	if req.RedirectURI == "" {
		return oidc.ErrInvalidRequest().WithDescription("redirect_uri is required")
	}
	if _, err := op.ValidateAuthRequestClient(ctx, req, cl, p.op.IDTokenHintVerifier(ctx)); err != nil {
		return err
	}
	switch {
	case req.CodeChallenge == "":
		return oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	case req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	return nil
}

func parKey(ref string) string { return "par:" + secrets.Hash(ref) }

func (p *Provider) parLifetime() time.Duration {
	if l := p.opts.PARLifetime; l > 0 && l <= maxPARLifetime {
		return l
	}
	return maxPARLifetime
}

type pushedKey struct{}

// pushedFrom reports whether the authorization request came through PAR.
func pushedFrom(ctx context.Context) bool {
	v, _ := ctx.Value(pushedKey{}).(bool)
	return v
}

// authorizePushed turns an /authorize request carrying a request_uri into
// the pushed request (RFC 9126 §4): the reference is taken from the store
// (single use), must belong to the client_id the browser names, and only
// the pushed parameters count. It answers the request itself (false) when
// the reference is unknown, spent, expired or another client's.
func (p *Provider) authorizePushed(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if err := r.ParseForm(); err != nil || !r.Form.Has("request_uri") {
		return r, true
	}
	ctx := r.Context()
	ref, ok := strings.CutPrefix(r.Form.Get("request_uri"), requestURIPrefix)
	if !ok || ref == "" {
		p.refusePushed(w, r, "request_uri is not one this server issued")
		return r, false
	}
	b, err := p.storage.st.TakeValue(ctx, parKey(ref))
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.refusePushed(w, r, "request_uri unknown, already used or expired")
		return r, false
	case err != nil:
		writeUnavailable(w)
		return r, false
	}
	var pr pushed
	if err := json.Unmarshal(b, &pr); err != nil {
		p.refusePushed(w, r, "request_uri unreadable")
		return r, false
	}
	if r.Form.Get("client_id") != pr.ClientID {
		p.refusePushed(w, r, "request_uri was pushed by another client")
		return r, false
	}
	r2 := r.Clone(context.WithValue(ctx, pushedKey{}, true))
	r2.Method, r2.Body, r2.ContentLength = http.MethodGet, http.NoBody, 0
	r2.Header.Del("Content-Type")
	u := *r.URL
	u.RawQuery = pr.Params.Encode()
	r2.URL, r2.Form, r2.PostForm = &u, nil, nil
	return r2, true
}

// refusePushed shows the error page: a request_uri that does not resolve
// gives no redirect URI that could be trusted.
func (p *Provider) refusePushed(w http.ResponseWriter, r *http.Request, why string) {
	p.storage.log.Info("authorization request with a bad request_uri", "reason", why, "client", r.Form.Get("client_id"))
	if p.opts.Login != nil {
		p.opts.Login.ErrorPage(w, r, http.StatusBadRequest, "invalid_request")
		return
	}
	tokenError(w, http.StatusBadRequest, "invalid_request_uri", why)
}

// requirePushed refuses, from CreateAuthRequest, an authorization request
// that did not come through PAR when the broker or the client requires it
// (RFC 9126 §5, §6); the library redirects the error to the validated
// redirect URI.
func (s *storage) requirePushed(ctx context.Context, clientID string) error {
	if pushedFrom(ctx) {
		return nil
	}
	required := s.opts.RequirePAR
	if !required {
		c, err := s.clients.Client(ctx, clientID)
		if err != nil {
			return s.fail(ctx, "load client", err)
		}
		required = c.RequirePushedAuthorizationRequests || c.Profile == config.ProfileFAPI2 // FAPI 2.0 §5.3.2.2
	}
	if required {
		return oidc.ErrInvalidRequest().WithDescription("pushed authorization request required: POST the request to %s first", PAREndpoint)
	}
	return nil
}
