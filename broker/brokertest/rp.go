package brokertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// RP is a relying party built from the real libraries (coreos/go-oidc and
// golang.org/x/oauth2) against a broker's discovery document.
type RP struct {
	Provider *oidc.Provider
	OAuth2   oauth2.Config
	Verifier *oidc.IDTokenVerifier
	Issuer   string
}

// NewRP discovers the broker and configures the demo client.
func NewRP(t testing.TB, issuer string) *RP {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &RP{
		Provider: p,
		Issuer:   issuer,
		OAuth2: oauth2.Config{ClientID: ClientID, ClientSecret: ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: RedirectURI, Scopes: []string{oidc.ScopeOpenID, "profile", oidc.ScopeOfflineAccess}},
		Verifier: p.Verifier(&oidc.Config{ClientID: ClientID}),
	}
}

// Flow is one authorization attempt's secrets.
type Flow struct {
	State, Nonce, Verifier string
	URL                    string
}

// NewFlow builds an authorization URL with state, nonce and PKCE S256.
func (rp *RP) NewFlow(extra ...oauth2.AuthCodeOption) Flow {
	f := Flow{State: oauth2.GenerateVerifier()[:20], Nonce: oauth2.GenerateVerifier()[:20], Verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)}, extra...)
	f.URL = rp.OAuth2.AuthCodeURL(f.State, opts...)
	return f
}

// Callback checks the redirect's state and iss and returns the code.
func (rp *RP) Callback(f Flow, loc *url.URL) (string, error) {
	if loc == nil {
		return "", fmt.Errorf("no redirect to the relying party")
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("authorization error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != f.State {
		return "", fmt.Errorf("state %q, want %q", q.Get("state"), f.State)
	}
	if q.Get("iss") != rp.Issuer {
		return "", fmt.Errorf("iss %q, want %q (RFC 9207)", q.Get("iss"), rp.Issuer)
	}
	return q.Get("code"), nil
}

// Exchange redeems the code with the flow's PKCE verifier and verifies the
// ID token (signature, iss, aud, exp, nonce, at_hash).
func (rp *RP) Exchange(ctx context.Context, f Flow, code string) (*oauth2.Token, *oidc.IDToken, error) {
	tok, err := rp.OAuth2.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return nil, nil, err
	}
	idt, err := rp.VerifyIDToken(ctx, tok, f.Nonce)
	return tok, idt, err
}

// Redeem is the relying party's side of a login that ended at loc: it
// checks the redirect (redirect URI, state, iss), redeems the code with the
// flow's PKCE verifier, verifies the ID token and decodes its claims into
// claims (nil: not decoded). Any failure fails t; br, when an HTTP-level
// Browser drove the login, puts its last page into the message.
func (rp *RP) Redeem(t testing.TB, f Flow, loc *url.URL, br *Browser, claims any) *oauth2.Token {
	t.Helper()
	if loc != nil && loc.Scheme+"://"+loc.Host+loc.Path != rp.OAuth2.RedirectURL {
		t.Fatalf("redirect to %s, want %s", loc, rp.OAuth2.RedirectURL)
	}
	code, err := rp.Callback(f, loc)
	if err != nil {
		if br != nil {
			t.Fatalf("callback %v: %v (page %d: %.400s)", loc, err, br.Last, br.Page)
		}
		t.Fatalf("callback %v: %v", loc, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, idt, err := rp.Exchange(ctx, f, code)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if claims != nil {
		if err := idt.Claims(claims); err != nil {
			t.Fatalf("ID token claims: %v", err)
		}
	}
	return tok
}

// PasswordLogin runs a whole authorization in br, signing user in with the
// password form of the broker at formURL (the issuer, or the upstream one
// in a federation), and redeems the code: the flow, the tokens and the ID
// token's claims.
func (rp *RP) PasswordLogin(t testing.TB, br *Browser, formURL, user, password string, extra ...oauth2.AuthCodeOption) (Flow, *oauth2.Token, map[string]any) {
	t.Helper()
	f, loc := rp.passwordRedirect(t, br, formURL, user, password, extra)
	var claims map[string]any
	tok := rp.Redeem(t, f, loc, br, &claims)
	return f, tok, claims
}

// PasswordCode runs an authorization as PasswordLogin does but stops at
// the code, unredeemed, for tests of the token endpoint.
func (rp *RP) PasswordCode(t testing.TB, br *Browser, formURL, user, password string, extra ...oauth2.AuthCodeOption) (Flow, string) {
	t.Helper()
	f, loc := rp.passwordRedirect(t, br, formURL, user, password, extra)
	code, err := rp.Callback(f, loc)
	if err != nil {
		t.Fatalf("callback %v: %v (page %d: %.400s)", loc, err, br.Last, br.Page)
	}
	return f, code
}

func (rp *RP) passwordRedirect(t testing.TB, br *Browser, formURL, user, password string, extra []oauth2.AuthCodeOption) (Flow, *url.URL) {
	t.Helper()
	f := rp.NewFlow(extra...)
	loc, err := br.Login(formURL, f.URL, user, password)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return f, loc
}

// VerifyIDToken verifies the token response's ID token; nonce "" skips the
// nonce check (refreshed ID tokens carry none).
func (rp *RP) VerifyIDToken(ctx context.Context, tok *oauth2.Token, nonce string) (*oidc.IDToken, error) {
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, fmt.Errorf("no id_token in token response")
	}
	idt, err := rp.Verifier.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if nonce != "" && idt.Nonce != nonce {
		return nil, fmt.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		return nil, fmt.Errorf("at_hash: %w", err)
	}
	return idt, nil
}

// Discovery fetches the broker's discovery document at issuer.
func Discovery(t testing.TB, issuer string) map[string]any {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatalf("discovery: status %d, %v", resp.StatusCode, err)
	}
	return d
}

// Introspect asks the broker about a token (RFC 7662) as clientID.
func Introspect(issuer, clientID, secret, token string) (map[string]any, error) {
	req, _ := http.NewRequest(http.MethodPost, issuer+"/oauth/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("introspect: status %d", resp.StatusCode)
	}
	var m map[string]any
	err = json.NewDecoder(resp.Body).Decode(&m)
	return m, err
}

// Revoke revokes a token (RFC 7009) as clientID.
func Revoke(issuer, clientID, secret, token, hint string) (int, error) {
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	req, _ := http.NewRequest(http.MethodPost, issuer+"/revoke", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
