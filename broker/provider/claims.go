package provider

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Claim names the broker adds to tokens.
const (
	ClaimUnitID   = "unit_id"
	ClaimUnitName = "unit_name"
	ClaimRoles    = "roles"
	ClaimIDP      = "idp"
	// ClaimIDNumber and ClaimIDType carry the full ID number, released only
	// for the scope gjj:id_number, which only an administrator can grant a
	// client (the library drops scopes a client was not granted).
	ClaimIDNumber = "id_number"
	ClaimIDType   = "id_type"
)

// principalOf extracts what a token request says about the login.
type principal struct {
	subject, unitID, idp, acr string
	amr                       []string
	scopes                    []string
	x5t                       string // RFC 8705 certificate thumbprint of an mTLS login
	jkt                       string // RFC 9449 key thumbprint the access token is bound to
}

func principalOf(req op.TokenRequest) (principal, bool) {
	switch r := req.(type) {
	case authRequest:
		if a := r.r.Auth; a != nil {
			return principal{a.Subject, a.UnitID, a.IDP, a.ACR, a.AMR, r.r.Scopes, a.CertThumbprint, ""}, true
		}
	case *refreshRequest:
		return principal{r.rt.Subject, r.rt.UnitID, r.rt.IDP, r.rt.ACR, r.rt.AMR, r.scopes, r.rt.CertThumbprint, ""}, true
	}
	return principal{}, false
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil // deprecated; SetUserinfoFromRequest does the work
}

// SetUserinfoFromRequest fills the ID token. Subject is always set: an
// empty one would delete `sub` from the token.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	p, ok := principalOf(req)
	if !ok {
		ui.Subject = req.GetSubject()
		return nil
	}
	if err := s.fillUserinfo(ctx, ui, p, scopes); err != nil {
		return err
	}
	if sid := sidClaim(req); sid != "" {
		ui.AppendClaims(ClaimSID, sid)
	}
	if _, isRefresh := req.(*refreshRequest); isRefresh && p.acr != "" {
		// The library sets acr only for code-flow ID tokens; a refreshed ID
		// token must still say how strongly the user logged in.
		ui.AppendClaims("acr", p.acr)
	}
	return nil
}

func (s *storage) fillUserinfo(ctx context.Context, ui *oidc.UserInfo, p principal, scopes []string) error {
	ui.Subject = p.subject
	prof, err := s.dir.Profile(ctx, p.subject, p.unitID)
	if err != nil {
		return s.fail(ctx, "load profile", err)
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		ui.Name = prof.Name
	}
	if p.unitID != "" {
		ui.AppendClaims(ClaimUnitID, p.unitID)
		ui.AppendClaims(ClaimUnitName, prof.UnitName)
	}
	if len(prof.Roles) > 0 {
		ui.AppendClaims(ClaimRoles, prof.Roles)
	}
	if p.idp != "" {
		ui.AppendClaims(ClaimIDP, p.idp)
	}
	if slices.Contains(scopes, ScopeIDNumber) {
		typ, num, ok, err := s.dir.IDNumber(ctx, p.subject)
		if err != nil {
			return s.fail(ctx, "load ID number", err)
		}
		if ok {
			ui.AppendClaims(ClaimIDType, typ)
			ui.AppendClaims(ClaimIDNumber, num)
		}
	}
	return nil
}

// tokenClaims is the part of our JWT access tokens the broker reads back.
type tokenClaims struct {
	oidc.TokenClaims
	Scope  string   `json:"scope"`
	UnitID string   `json:"unit_id"`
	IDP    string   `json:"idp"`
	ACR    string   `json:"acr"`
	AMR    []string `json:"amr"`
	CNF    struct {
		X5t string `json:"x5t#S256"`
		JKT string `json:"jkt"`
	} `json:"cnf"`
}

// presentedAccessToken decodes the access token the request carried. The
// library has already verified its signature and expiry before calling the
// storage; it only passes the jti along, so the claims come from the raw
// token the interceptor kept.
func (s *storage) presentedAccessToken(ctx context.Context, jti string) (*tokenClaims, bool) {
	c, ok := parseTokenClaims(rawTokenFrom(ctx))
	if !ok || (jti != "" && c.JWTID != jti) {
		return nil, false
	}
	return c, true
}

// parseTokenClaims decodes one of the broker's JWT access tokens without
// checking its signature: for callers that verify it elsewhere.
func parseTokenClaims(raw string) (*tokenClaims, bool) {
	if raw == "" {
		return nil, false
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA, jose.PS256})
	if err != nil {
		return nil, false
	}
	var c tokenClaims
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c); err != nil {
		return nil, false
	}
	return &c, true
}

// SetUserinfoFromToken backs /userinfo.
func (s *storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, jti, subject, origin string) error {
	c, ok := s.presentedAccessToken(ctx, jti)
	if !ok || c.Subject != subject {
		return errors.New("access token not recognised")
	}
	if c.CNF.JKT != "" && c.CNF.JKT != proofJKT(ctx) {
		// RFC 9449 §7.2: a DPoP-bound token without its proof is refused.
		return errors.New("DPoP-bound access token presented without its proof")
	}
	revoked, err := s.accessTokenRevoked(ctx, jti, subject)
	if err != nil {
		return s.fail(ctx, "check revocation", err)
	}
	if revoked {
		return errors.New("access token revoked")
	}
	scopes := strings.Fields(c.Scope)
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		markInsufficientScope(ctx)
		return errors.New("access token has no openid scope")
	}
	return s.fillUserinfo(ctx, ui, principal{subject: subject, unitID: c.UnitID, idp: c.IDP}, scopes)
}

// SetIntrospectionFromToken backs RFC 7662. A caller may introspect tokens
// issued to itself or naming it as audience; others see active=false.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, jti, subject, caller string) error {
	c, ok := s.presentedAccessToken(ctx, jti)
	if !ok || c.Subject != subject {
		return errors.New("access token not recognised")
	}
	if c.ClientID != caller && !slices.Contains(c.Audience, caller) {
		return errors.New("caller may not introspect this token")
	}
	revoked, err := s.accessTokenRevoked(ctx, jti, subject)
	if err != nil {
		return s.fail(ctx, "check revocation", err)
	}
	if revoked {
		return errors.New("access token revoked")
	}
	resp.Scope = oidc.SpaceDelimitedArray(strings.Fields(c.Scope))
	resp.ClientID = c.ClientID
	resp.TokenType = oidc.BearerToken
	if c.CNF.JKT != "" {
		resp.TokenType = DPoPScheme // RFC 9449 §6.2
	}
	resp.Expiration = c.Expiration
	resp.IssuedAt = c.IssuedAt
	resp.NotBefore = c.NotBefore
	resp.Subject = c.Subject
	resp.Audience = c.Audience
	resp.Issuer = c.Issuer
	resp.JWTID = c.JWTID
	resp.Claims = loginClaims(map[string]any{}, principal{unitID: c.UnitID, idp: c.IDP, acr: c.ACR, amr: c.AMR, x5t: c.CNF.X5t, jkt: c.CNF.JKT})
	return nil
}

// loginClaims adds who acts for which unit and how they logged in.
func loginClaims(claims map[string]any, p principal) map[string]any {
	if p.unitID != "" {
		claims[ClaimUnitID] = p.unitID
	}
	if p.idp != "" {
		claims[ClaimIDP] = p.idp
	}
	if p.acr != "" {
		claims["acr"] = p.acr
	}
	if len(p.amr) > 0 {
		claims["amr"] = p.amr
	}
	withCnf(claims, p.x5t, p.jkt)
	return claims
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil // superseded by GetPrivateClaimsFromRequest
}

// GetPrivateClaimsFromRequest shapes JWT access tokens after RFC 9068:
// scope, plus who acts for which unit and how they logged in.
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	noteAccessTokenSigning(ctx)
	scopes := req.GetScopes()
	p, ok := principalOf(req)
	if ok && s.opts.GrantScopes != nil {
		var err error
		if scopes, err = s.opts.GrantScopes(ctx, p.subject, scopes); err != nil {
			return nil, s.fail(ctx, "grant scopes", err)
		}
	}
	claims := map[string]any{"scope": strings.Join(scopes, " ")}
	if ok {
		p.jkt = proofJKT(ctx)
		loginClaims(claims, p)
	} else {
		withCnf(claims, "", proofJKT(ctx))
	}
	return claims, nil
}
