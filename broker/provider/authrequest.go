package provider

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/store"
)

// authRequest adapts a stored auth request to op.AuthRequest.
type authRequest struct{ r *store.AuthRequest }

var _ op.AuthRequest = authRequest{}

func (a authRequest) GetID() string         { return a.r.ID }
func (a authRequest) GetAudience() []string { return []string{a.r.ClientID} }
func (a authRequest) GetClientID() string   { return a.r.ClientID }
func (a authRequest) GetNonce() string      { return a.r.Nonce }
func (a authRequest) GetRedirectURI() string {
	return a.r.RedirectURI
}
func (a authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }
func (a authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.r.ResponseMode) }
func (a authRequest) GetScopes() []string                { return a.r.Scopes }
func (a authRequest) GetState() string                   { return a.r.State }
func (a authRequest) Done() bool                         { return a.r.Auth != nil }

func (a authRequest) GetACR() string {
	if a.r.Auth == nil {
		return ""
	}
	return a.r.Auth.ACR
}

func (a authRequest) GetAMR() []string {
	if a.r.Auth == nil {
		return nil
	}
	return a.r.Auth.AMR
}

func (a authRequest) GetAuthTime() time.Time {
	if a.r.Auth == nil {
		return time.Time{}
	}
	return a.r.Auth.AuthTime
}

func (a authRequest) GetSubject() string {
	if a.r.Auth == nil {
		return ""
	}
	return a.r.Auth.Subject
}

func (a authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{
		Challenge: a.r.CodeChallenge,
		Method:    oidc.CodeChallengeMethod(a.r.CodeChallengeMethod),
	}
}

// refreshRequest adapts a refresh-token family member to op.RefreshTokenRequest.
type refreshRequest struct {
	rt     *store.RefreshToken
	token  string   // the presented token, for rotation
	gen    uint64   // its generation (0: the earlier format)
	scopes []string // this request's scopes; rt.Scopes stays the grant's
}

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

func (r *refreshRequest) GetAMR() []string       { return r.rt.AMR }
func (r *refreshRequest) GetAudience() []string  { return r.rt.Audience }
func (r *refreshRequest) GetAuthTime() time.Time { return r.rt.AuthTime }
func (r *refreshRequest) GetClientID() string    { return r.rt.ClientID }
func (r *refreshRequest) GetScopes() []string    { return r.scopes }
func (r *refreshRequest) GetSubject() string     { return r.rt.Subject }

// SetCurrentScopes narrows this request only: RFC 6749 §6 keeps the new
// refresh token's scope identical to the one presented.
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

// serviceRequest is a client_credentials grant: the client is the subject.
type serviceRequest struct {
	clientID string
	scopes   []string
}

func (s serviceRequest) GetSubject() string    { return s.clientID }
func (s serviceRequest) GetAudience() []string { return []string{s.clientID} }
func (s serviceRequest) GetScopes() []string   { return s.scopes }
