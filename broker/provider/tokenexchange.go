package provider

import (
	"context"
	"crypto/subtle"
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
)

// RFC 8693 token exchange of upstream subject tokens: an app that got a
// one-time credential from an upstream (the WeChat mini program's js_code)
// presents it at the token endpoint with a subject_token_type the broker
// defines (e.g. urn:gjjid:params:token-type:wechat-js-code) and gets the
// broker's tokens for the linked principal. The op library's own entry
// point refuses token types outside RFC 8693's list and turns every
// verification failure into "subject_token is invalid", so the broker
// validates the request here and lets the library mint the tokens
// (op.CreateTokenExchangeResponse, through the TokenExchangeStorage
// methods below). Only these subject token types are exchanged: the
// library's exchange of the broker's own tokens stays off.

// GrantTypeTokenExchange is RFC 8693's grant type; a client must list it.
const GrantTypeTokenExchange = string(oidc.GrantTypeTokenExchange)

// ExchangeRequest is what the provider asks the broker to redeem.
type ExchangeRequest struct {
	ClientID   string
	Connectors []string // the connectors the client may use; empty: all
	TokenType  string
	Token      string
}

// Exchanged is the principal a subject token proved.
type Exchanged struct {
	Subject, UnitID, IDP, ACR string
	AMR                       []string
}

// ExchangeError is a refusal the client sees: an RFC 6749 §5.2 error code
// (invalid_grant …) and its description; IDPHint, when set, tells the
// client which connector to sign in with once (through /authorize with
// idp_hint) to link the upstream account (self-bind).
type ExchangeError struct {
	Code        string
	Description string
	IDPHint     string
}

func (e *ExchangeError) Error() string { return e.Code + ": " + e.Description }

// serveTokenExchange answers grant_type=urn:ietf:params:oauth:grant-type:token-exchange.
func (p *Provider) serveTokenExchange(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	ctx := op.ContextWithIssuer(r.Context(), p.opts.Issuer)
	f := r.PostForm
	cl, ok := p.exchangeClient(ctx, w, r)
	if !ok {
		return
	}
	if !slices.Contains(cl.c.GrantTypes, GrantTypeTokenExchange) {
		tokenError(w, http.StatusBadRequest, string(oidc.UnauthorizedClient), "the client may not use the token-exchange grant")
		return
	}
	typ, tok := f.Get("subject_token_type"), f.Get("subject_token")
	switch {
	case tok == "" || typ == "":
		tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "subject_token and subject_token_type are required")
		return
	case !slices.Contains(p.opts.Login.SubjectTokenTypes(), typ):
		tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "subject_token_type is not supported")
		return
	case f.Get("actor_token") != "" || f.Get("actor_token_type") != "":
		tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "actor tokens are not supported")
		return
	}
	requested := oidc.TokenType(f.Get("requested_token_type"))
	switch requested {
	case "":
		requested = oidc.AccessTokenType
	case oidc.AccessTokenType, oidc.IDTokenType:
	default:
		tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "requested_token_type must be access_token or id_token")
		return
	}
	if aud := f["audience"]; len(aud) > 0 && (len(aud) != 1 || aud[0] != cl.c.ID) {
		tokenError(w, http.StatusBadRequest, "invalid_target", "tokens are issued for the requesting client only")
		return
	}
	scopes := []string{oidc.ScopeOpenID}
	if s := strings.Fields(f.Get("scope")); len(s) > 0 {
		scopes = scopes[:0]
		for _, sc := range s {
			if cl.IsScopeAllowed(sc) && sc != oidc.ScopeOfflineAccess && !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
	}
	ex, err := p.opts.Login.ExchangeSubjectToken(ctx, ExchangeRequest{ClientID: cl.c.ID, Connectors: cl.c.Connectors, TokenType: typ, Token: tok})
	if err != nil {
		var ee *ExchangeError
		switch {
		case errors.As(err, &ee):
			b, _ := json.Marshal(struct {
				Error       string `json:"error"`
				Description string `json:"error_description,omitempty"`
				IDPHint     string `json:"idp_hint,omitempty"`
			}{ee.Code, ee.Description, ee.IDPHint})
			h.Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(b)
		case errors.Is(err, store.ErrUnavailable):
			writeUnavailable(w)
		default:
			p.storage.log.ErrorContext(ctx, "token exchange", "client", cl.c.ID, "err", err)
			tokenError(w, http.StatusInternalServerError, string(oidc.ServerError), "")
		}
		return
	}
	req := &exchangeRequest{clientID: cl.c.ID, subject: ex.Subject, unitID: ex.UnitID, idp: ex.IDP, acr: ex.ACR, amr: ex.AMR,
		scopes: scopes, requested: requested, tokenType: oidc.TokenType(typ), authTime: p.opts.now().Truncate(time.Second)}
	noteTokenClient(ctx, cl.c.ID)
	resp, err := op.CreateTokenExchangeResponse(ctx, req, cl, p.op)
	if err != nil {
		if oe, ok := err.(*oidc.Error); ok && oe.ErrorType != oidc.ServerError {
			tokenError(w, http.StatusBadRequest, string(oe.ErrorType), oe.Description)
			return
		}
		p.storage.log.ErrorContext(ctx, "token exchange: issue tokens", "client", cl.c.ID, "err", err)
		tokenError(w, http.StatusInternalServerError, string(oidc.ServerError), "")
		return
	}
	b, _ := json.Marshal(resp)
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// exchangeClient authenticates the client the way the token endpoint
// does: a confidential client by its secret (Basic or post, one of them),
// a public client (auth method none) by client_id alone.
func (p *Provider) exchangeClient(ctx context.Context, w http.ResponseWriter, r *http.Request) (*client, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		if r.PostForm.Has("client_secret") {
			tokenError(w, http.StatusBadRequest, string(oidc.InvalidRequest), "use one client authentication method, not Basic and client_secret together")
			return nil, false
		}
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			p.clientAuthFailed(w, basic)
			return nil, false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		p.clientAuthFailed(w, basic)
		return nil, false
	}
	cl, err := p.storage.client(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			writeUnavailable(w)
			return nil, false
		}
		p.clientAuthFailed(w, basic)
		return nil, false
	}
	if cl.c.AuthMethod == "none" {
		if secret != "" || basic {
			p.clientAuthFailed(w, basic)
			return nil, false
		}
		return cl, true
	}
	if secret == "" || (!assertedSecret(ctx, cl.c.ID, secret) &&
		(cl.c.SecretHash == "" || subtle.ConstantTimeCompare([]byte(secrets.Hash(secret)), []byte(cl.c.SecretHash)) != 1)) {
		p.clientAuthFailed(w, basic)
		return nil, false
	}
	return cl, true
}

// exchangeRequest is the library's op.TokenExchangeRequest for a redeemed
// subject token.
type exchangeRequest struct {
	clientID, subject, unitID, idp, acr string
	amr, scopes                         []string
	requested, tokenType                oidc.TokenType
	authTime                            time.Time
}

var _ op.TokenExchangeRequest = (*exchangeRequest)(nil)

func (r *exchangeRequest) GetAMR() []string                            { return r.amr }
func (r *exchangeRequest) GetAudience() []string                       { return []string{r.clientID} }
func (r *exchangeRequest) GetResourses() []string                      { return nil }
func (r *exchangeRequest) GetAuthTime() time.Time                      { return r.authTime }
func (r *exchangeRequest) GetClientID() string                         { return r.clientID }
func (r *exchangeRequest) GetScopes() []string                         { return r.scopes }
func (r *exchangeRequest) GetSubject() string                          { return r.subject }
func (r *exchangeRequest) GetRequestedTokenType() oidc.TokenType       { return r.requested }
func (r *exchangeRequest) GetExchangeSubject() string                  { return r.subject }
func (r *exchangeRequest) GetExchangeSubjectTokenType() oidc.TokenType { return r.tokenType }
func (r *exchangeRequest) GetExchangeSubjectTokenIDOrToken() string    { return "" } // never echo the upstream credential
func (r *exchangeRequest) GetExchangeSubjectTokenClaims() map[string]any {
	return nil
}
func (r *exchangeRequest) GetExchangeActor() string                  { return "" }
func (r *exchangeRequest) GetExchangeActorTokenType() oidc.TokenType { return "" }
func (r *exchangeRequest) GetExchangeActorTokenIDOrToken() string    { return "" }
func (r *exchangeRequest) GetExchangeActorTokenClaims() map[string]any {
	return nil
}
func (r *exchangeRequest) SetCurrentScopes(s []string)            { r.scopes = s }
func (r *exchangeRequest) SetRequestedTokenType(t oidc.TokenType) { r.requested = t }
func (r *exchangeRequest) SetSubject(subject string)              { r.subject = subject }
func (r *exchangeRequest) principal() principal {
	return principal{subject: r.subject, unitID: r.unitID, idp: r.idp, acr: r.acr, amr: r.amr, scopes: r.scopes}
}

// ---- op.TokenExchangeStorage ----

var _ op.TokenExchangeStorage = (*storage)(nil)

// ValidateTokenExchangeRequest is reached only through the library's own
// token-exchange entry point, which the provider does not route to: the
// exchange of the broker's own tokens (impersonation, delegation) is not
// offered.
func (s *storage) ValidateTokenExchangeRequest(_ context.Context, req op.TokenExchangeRequest) error {
	if _, ok := req.(*exchangeRequest); ok {
		return nil
	}
	return oidc.ErrInvalidRequest().WithDescription("subject_token_type is not supported")
}

// CreateTokenExchangeRequest has nothing to store: the access token is a
// self-contained JWT.
func (s *storage) CreateTokenExchangeRequest(_ context.Context, req op.TokenExchangeRequest) error {
	return s.ValidateTokenExchangeRequest(context.Background(), req)
}

// GetPrivateClaimsFromTokenExchangeRequest shapes the access token like the
// code flow's: scope, unit, idp, acr, amr.
func (s *storage) GetPrivateClaimsFromTokenExchangeRequest(ctx context.Context, req op.TokenExchangeRequest) (map[string]any, error) {
	noteAccessTokenSigning(ctx)
	claims := map[string]any{"scope": strings.Join(req.GetScopes(), " ")}
	if r, ok := req.(*exchangeRequest); ok {
		loginClaims(claims, r.principal())
	}
	return claims, nil
}

// SetUserinfoFromTokenExchangeRequest fills an ID token (requested_token_type
// id_token) as the code flow does, plus acr (the library sets it only for
// auth requests).
func (s *storage) SetUserinfoFromTokenExchangeRequest(ctx context.Context, ui *oidc.UserInfo, req op.TokenExchangeRequest) error {
	r, ok := req.(*exchangeRequest)
	if !ok {
		ui.Subject = req.GetSubject()
		return nil
	}
	if err := s.fillUserinfo(ctx, ui, r.principal(), r.scopes); err != nil {
		return err
	}
	if r.acr != "" {
		ui.AppendClaims("acr", r.acr)
	}
	return nil
}
