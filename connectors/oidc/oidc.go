// Package oidc is the login through an upstream OpenID Provider (a
// provincial platform that speaks OpenID Connect, or another gjjid): the
// authorization code flow with PKCE (S256), state and nonce; the ID token
// verified by go-oidc (signature through the upstream's cached JWKS, which
// is fetched again when an unknown key ID appears, iss, aud, exp, nonce,
// at_hash); optional userinfo; the claims mapped by upstream.Mapping; and
// RP-initiated logout upstream when the broker's session ends.
package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact"
	"github.com/gjjid/gjjid/connectors/upstream"
)

// Type is the registry type of this connector.
const Type = "oidc"

var (
	_ connectors.RedirectLogin  = (*Connector)(nil)
	_ connectors.UpstreamLogout = (*Connector)(nil)
)

// Connector is an opened OIDC connector.
type Connector struct {
	upstream.Base // ID, Type, DisplayName, ACR, SelfBinds; flows and the upstream client
	cfg           Config
	now           func() time.Time

	mu   sync.Mutex
	prov *provider // nil until discovery succeeded; retried per login
}

// provider is what discovery (or the endpoints config) found.
type provider struct {
	p          *gooidc.Provider
	verifier   *gooidc.IDTokenVerifier
	endSession string
}

var (
	kind = upstream.Kind[Config, *Connector]{Type: Type, Parse: parseConfig,
		New: func(b upstream.Base, cfg Config, deps connectors.Deps) *Connector {
			return &Connector{Base: b, cfg: cfg, now: deps.Clock()}
		}}

	// Open validates spec.Config and opens the connector. Discovery happens
	// at the first login (and again after a failure), so the broker starts
	// while the upstream is down.
	Open = kind.Open
	// Factory opens oidc connectors for the registry.
	Factory = connectors.FactoryOf(Open)
)

// flow is what a login keeps while the browser is upstream.
type flow struct {
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Callback string `json:"c"` // the redirect_uri, sent again with the code
}

func (c *Connector) ctx(ctx context.Context) context.Context {
	return gooidc.ClientContext(ctx, c.Client)
}

// LoginURL sends the browser to the upstream's authorization endpoint.
func (c *Connector) LoginURL(ctx context.Context, state, callbackURL string) (string, error) {
	p, err := c.provider(ctx)
	if err != nil {
		return "", err
	}
	f := flow{Nonce: connectors.RandomSecret(), Verifier: oauth2.GenerateVerifier(), Callback: callbackURL}
	rec, _ := json.Marshal(f)
	if err := c.SaveFlow(ctx, state, rec); err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)}
	if connectors.LoginHintsFrom(ctx).ForceLogin {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"))
	}
	if c.cfg.ACRValues != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", c.cfg.ACRValues))
	}
	return c.oauth2(p, callbackURL).AuthCodeURL(state, opts...), nil
}

func (c *Connector) oauth2(p *provider, callbackURL string) *oauth2.Config {
	ep := p.p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	if c.cfg.AuthMethod == AuthPost {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: ep,
		RedirectURL: callbackURL, Scopes: c.cfg.Scopes}
}

// HandleCallback redeems the code and maps the verified ID token (and
// userinfo) onto an identity. The broker has checked and spent `state`.
//
// No error's text holds what the login sent or received (the client
// secret, the code, the PKCE verifier, the tokens): upstream answers may
// quote them.
func (c *Connector) HandleCallback(ctx context.Context, r *http.Request) (connectors.Identity, error) {
	var sent redact.Sent
	sent.Add(c.cfg.ClientSecret, basicAuth(c.cfg.ClientID, c.cfg.ClientSecret))
	return c.Callback(ctx, r, &sent, c.handle)
}

func (c *Connector) handle(ctx context.Context, q url.Values, raw []byte, sent *redact.Sent) (connectors.Identity, error) {
	var f flow
	if err := json.Unmarshal(raw, &f); err != nil {
		return connectors.Identity{}, fmt.Errorf("oidc %s: flow record: %w", c.ID(), err)
	}
	// RFC 9207: an iss parameter, when sent, must name this upstream.
	if iss := q.Get("iss"); iss != "" && iss != c.cfg.Issuer {
		return connectors.Identity{}, upstream.Invalid(fmt.Errorf("iss parameter %q is not the configured issuer", iss))
	}
	if e := q.Get("error"); e != "" {
		cause := fmt.Errorf("upstream error %q", clip(e))
		switch e {
		case "access_denied", "login_required", "consent_required", "interaction_required":
			return connectors.Identity{}, upstream.Denied(cause)
		}
		return connectors.Identity{}, upstream.Failed(cause)
	}
	code := q.Get("code")
	if code == "" {
		return connectors.Identity{}, upstream.Invalid(errors.New("callback without code"))
	}
	sent.Add(code, f.Verifier)
	p, err := c.provider(ctx)
	if err != nil {
		return connectors.Identity{}, err
	}
	tok, err := c.oauth2(p, f.Callback).Exchange(c.ctx(ctx), code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return connectors.Identity{}, upstream.Failed(fmt.Errorf("token endpoint: status %d, error %q", re.Response.StatusCode, clip(re.ErrorCode)))
		}
		return connectors.Identity{}, fmt.Errorf("oidc %s: token request: %w", c.ID(), upstream.Redact(err))
	}
	rawID, _ := tok.Extra("id_token").(string)
	sent.Add(tok.AccessToken, tok.RefreshToken, rawID)
	if rawID == "" {
		return connectors.Identity{}, upstream.Invalid(errors.New("token response without id_token"))
	}
	idt, err := p.verifier.Verify(ctx, rawID)
	if err != nil {
		return connectors.Identity{}, upstream.Invalid(fmt.Errorf("ID token: %w", err))
	}
	if idt.Nonce != f.Nonce {
		return connectors.Identity{}, upstream.Invalid(errors.New("ID token: nonce does not match this login"))
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return connectors.Identity{}, upstream.Invalid(fmt.Errorf("ID token: %w", err))
		}
	}
	var claims json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return connectors.Identity{}, upstream.Invalid(fmt.Errorf("ID token claims: %w", err))
	}
	doc, err := upstream.DecodeJSON(claims)
	if err != nil {
		return connectors.Identity{}, upstream.Invalid(fmt.Errorf("ID token claims: %w", err))
	}
	m, _ := doc.(map[string]any)
	if m == nil {
		return connectors.Identity{}, upstream.Invalid(errors.New("ID token claims: not an object"))
	}
	if c.cfg.UserInfo {
		if err := c.addUserInfo(ctx, p, tok, idt.Subject, m); err != nil {
			return connectors.Identity{}, err
		}
	}
	out, err := c.cfg.Mapping.Identity(c.ID(), m)
	if err != nil {
		return connectors.Identity{}, upstream.Attribute(err)
	}
	if len(out.AMR) == 0 {
		out.AMR = idtAMR(m)
	}
	return out, nil
}

// addUserInfo merges the userinfo answer into claims (the ID token's
// claims win); its sub must be the ID token's (OIDC Core §5.3.2).
func (c *Connector) addUserInfo(ctx context.Context, p *provider, tok *oauth2.Token, sub string, claims map[string]any) error {
	ui, err := p.p.UserInfo(c.ctx(ctx), oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("oidc %s: userinfo: %w", c.ID(), upstream.Redact(err))
	}
	if ui.Subject != sub {
		return upstream.Invalid(errors.New("userinfo sub differs from the ID token's"))
	}
	var raw json.RawMessage
	if err := ui.Claims(&raw); err != nil {
		return upstream.Invalid(fmt.Errorf("userinfo: %w", err))
	}
	doc, err := upstream.DecodeJSON(raw)
	if err != nil {
		return upstream.Invalid(fmt.Errorf("userinfo: %w", err))
	}
	extra, _ := doc.(map[string]any)
	for k, v := range extra {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

func idtAMR(m map[string]any) []string {
	a, _ := m["amr"].([]any)
	var out []string
	for _, v := range a {
		if s, ok := v.(string); ok && s != "" && len(s) <= 32 && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' }) {
			out = append(out, s)
		}
	}
	return out
}

// LogoutURL is the upstream's end_session_endpoint (OpenID Connect
// RP-Initiated Logout 1.0 §2) with client_id, post_logout_redirect_uri
// and state; "" when the upstream offers none or logout is off. The
// upstream's ID token is not kept (it holds personal data), so client_id
// names the client instead of id_token_hint.
func (c *Connector) LogoutURL(ctx context.Context, state, returnURL string) (string, error) {
	if !c.cfg.Logout {
		return "", nil
	}
	p, err := c.provider(ctx)
	if err != nil {
		return "", err
	}
	if p.endSession == "" {
		return "", nil
	}
	u, err := url.Parse(p.endSession)
	if err != nil {
		return "", fmt.Errorf("oidc %s: end_session_endpoint: %w", c.ID(), err)
	}
	q := u.Query()
	q.Set("client_id", c.cfg.ClientID)
	q.Set("post_logout_redirect_uri", returnURL)
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// provider discovers the upstream once; a failure is retried by the next
// login.
func (c *Connector) provider(ctx context.Context) (*provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.prov != nil {
		return c.prov, nil
	}
	pc := gooidc.ProviderConfig{IssuerURL: c.cfg.Issuer}
	var endSession string
	if c.cfg.Discovery {
		d, err := c.discover(ctx)
		if err != nil {
			return nil, err
		}
		pc = gooidc.ProviderConfig{IssuerURL: d.Issuer, AuthURL: d.AuthURL, TokenURL: d.TokenURL, UserInfoURL: d.UserInfoURL,
			JWKSURL: d.JWKSURL, Algorithms: d.Algorithms}
		endSession = d.EndSession
	}
	e := c.cfg.Endpoints
	override(&pc.AuthURL, e.Authorization)
	override(&pc.TokenURL, e.Token)
	override(&pc.UserInfoURL, e.UserInfo)
	override(&pc.JWKSURL, e.JWKS)
	override(&endSession, e.EndSession)
	algs := c.cfg.SigningAlgs
	if len(algs) == 0 {
		for _, a := range pc.Algorithms {
			if slices.Contains(algorithms, a) {
				algs = append(algs, a)
			}
		}
	}
	if len(algs) == 0 {
		algs = []string{"RS256", "ES256"}
	}
	pc.Algorithms = algs
	p := pc.NewProvider(gooidc.ClientContext(context.Background(), c.Client))
	c.prov = &provider{p: p, endSession: endSession,
		verifier: p.Verifier(&gooidc.Config{ClientID: c.cfg.ClientID, SupportedSigningAlgs: algs, Now: c.now})}
	return c.prov, nil
}

func override(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

type discovery struct {
	Issuer      string   `json:"issuer"`
	AuthURL     string   `json:"authorization_endpoint"`
	TokenURL    string   `json:"token_endpoint"`
	UserInfoURL string   `json:"userinfo_endpoint"`
	JWKSURL     string   `json:"jwks_uri"`
	EndSession  string   `json:"end_session_endpoint"`
	Algorithms  []string `json:"id_token_signing_alg_values_supported"`
}

// discover reads <issuer>/.well-known/openid-configuration (OIDC
// Discovery 1.0 §4); its issuer must be the configured one exactly (§4.3)
// and its endpoints https (http on loopback only).
func (c *Connector) discover(ctx context.Context) (*discovery, error) {
	u := strings.TrimSuffix(c.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidc %s: discovery: %w", c.ID(), upstream.Redact(err))
	}
	body, err := upstream.ReadBody(resp)
	if err != nil {
		return nil, fmt.Errorf("oidc %s: discovery: %w", c.ID(), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("oidc %s: discovery: status %d", c.ID(), resp.StatusCode)
	}
	var d discovery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("oidc %s: discovery: %w", c.ID(), err)
	}
	if d.Issuer != c.cfg.Issuer {
		return nil, fmt.Errorf("oidc %s: discovery: issuer %q is not the configured %q", c.ID(), d.Issuer, c.cfg.Issuer)
	}
	for name, v := range map[string]string{"authorization_endpoint": d.AuthURL, "token_endpoint": d.TokenURL, "jwks_uri": d.JWKSURL} {
		if err := upstream.CheckURL(v, true); err != nil {
			return nil, fmt.Errorf("oidc %s: discovery: %s %w", c.ID(), name, err)
		}
	}
	for _, v := range []*string{&d.UserInfoURL, &d.EndSession} {
		if *v != "" && upstream.CheckURL(*v, true) != nil {
			*v = ""
		}
	}
	return &d, nil
}

// clip bounds upstream text put into logs.
// basicAuth is the Authorization value the oauth2 package sends for
// client_secret_basic (RFC 6749 §2.3.1: both parts form-encoded first).
func basicAuth(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
