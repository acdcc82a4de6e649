package pages

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/secrets"
)

// acrLevels are the broker's assurance levels, weakest first (the login's
// ACRLevels; the login package is not imported so the pages stay on the
// provider's side of the protocol).
var acrLevels = []string{"gjj:loa:1", "gjj:loa:2", "gjj:loa:3"}

// acrAtLeast reports whether have reaches want.
func acrAtLeast(have, want string) bool {
	return want == "" || slices.Index(acrLevels, have) >= slices.Index(acrLevels, want) && slices.Contains(acrLevels, have)
}

// stepUp is what a sign-in must reach: at least ACR, and a login no older
// than MaxAge (zero: any).
type stepUp struct {
	ACR    string
	MaxAge time.Duration
}

// flowState is one sign-in in progress, sealed in the flow cookie between
// the redirect to /authorize and the callback.
type flowState struct {
	State    string   `json:"state"`
	Nonce    string   `json:"nonce"`
	Verifier string   `json:"verifier"`
	Next     string   `json:"next"`
	Expires  int64    `json:"exp"`
	Pending  *pending `json:"pending,omitempty"`
	ACR      string   `json:"acr,omitempty"`
	MaxAge   int64    `json:"max_age,omitempty"`
}

// signin is the client side of the broker's code flow, through
// golang.org/x/oauth2 (PKCE S256) and coreos/go-oidc (ID token signature,
// issuer, audience, expiry and nonce), both talking to the broker in
// process.
type signin struct {
	p        *Pages
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
	issuer   string
}

func newSignin(p *Pages) *signin {
	issuer := strings.TrimSuffix(p.o.Issuer, "/")
	hc := &http.Client{Transport: inProcess{h: p.o.OP}, Timeout: 10 * time.Second}
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), hc), issuer+"/keys")
	return &signin{
		p: p, client: hc, issuer: p.o.Issuer,
		oauth: oauth2.Config{ClientID: ClientID, ClientSecret: clientSecret(p.o.CookieKey),
			Endpoint:    oauth2.Endpoint{AuthURL: issuer + "/authorize", TokenURL: issuer + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader},
			RedirectURL: p.origin + CallbackPath, Scopes: []string{oidc.ScopeOpenID, "profile"}},
		verifier: oidc.NewVerifier(p.o.Issuer, keys, &oidc.Config{ClientID: ClientID, SupportedSigningAlgs: []string{"ES256", "RS256", "EdDSA"}, Now: p.o.Now}),
	}
}

// safeNext keeps only the pages' own paths as places to come back to.
func safeNext(next string) string {
	if next == "/unit" || next == "/account" || strings.HasPrefix(next, "/unit/") || strings.HasPrefix(next, "/account/") || strings.HasPrefix(next, "/admin") {
		return next
	}
	return ""
}

// start sends the browser to /authorize; it comes back to next, with form
// shown again there once (a step-up keeps what was typed).
func (si *signin) start(c echo.Context, next string, su stepUp, form *pending) error {
	st := flowState{State: secrets.Random(32), Nonce: secrets.Random(32), Verifier: oauth2.GenerateVerifier(), Next: safeNext(next),
		Expires: si.p.o.Now().Add(10 * time.Minute).Unix(), Pending: form, ACR: su.ACR, MaxAge: int64(su.MaxAge / time.Second)}
	v, err := si.p.seal.seal(flowCookie, st)
	if err != nil {
		return si.p.fail(c, http.StatusInternalServerError, "err_internal", err)
	}
	si.p.setCookie(c, flowCookie, v, 10*time.Minute)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(st.Verifier), oidc.Nonce(st.Nonce),
		oauth2.SetAuthURLParam("ui_locales", si.p.lang(c))}
	if su.ACR != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", su.ACR))
	}
	if su.MaxAge > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("max_age", strconv.FormatInt(st.MaxAge, 10)))
	}
	return c.Redirect(http.StatusSeeOther, si.oauth.AuthCodeURL(st.State, opts...))
}

// idClaims are the ID token claims a page session keeps.
type idClaims struct {
	Subject  string `json:"sub"`
	Name     string `json:"name"`
	ACR      string `json:"acr"`
	AuthTime int64  `json:"auth_time"`
	UnitID   string `json:"unit_id"`
	IDP      string `json:"idp"`
	SID      string `json:"sid"`
}

// callback completes a sign-in: state, code with the PKCE verifier, ID
// token, and (for a step-up) the level and freshness asked for; then the
// new page session and the way back.
func (p *Pages) callback(c echo.Context) error {
	ck, err := c.Cookie(flowCookie)
	var st flowState
	if err != nil || p.seal.open(flowCookie, ck.Value, &st) != nil || p.o.Now().Unix() > st.Expires {
		return p.fail(c, http.StatusBadRequest, "pg_err_signin_expired", nil)
	}
	p.setCookie(c, flowCookie, "", -1)
	q := c.Request().URL.Query()
	if q.Get("state") != st.State {
		return p.fail(c, http.StatusBadRequest, "pg_err_signin_expired", nil)
	}
	if e := q.Get("error"); e != "" {
		p.log.InfoContext(c.Request().Context(), "sign-in refused by the login", "error", e, "description", q.Get("error_description"))
		return p.fail(c, http.StatusForbidden, "pg_err_signin_refused", nil)
	}
	if q.Get("iss") != "" && q.Get("iss") != p.o.Issuer {
		return p.fail(c, http.StatusBadRequest, "pg_err_signin_expired", nil)
	}
	cl, err := p.signin.redeem(c.Request().Context(), q.Get("code"), st)
	if err != nil {
		return p.fail(c, http.StatusBadGateway, "err_internal", err)
	}
	now := p.o.Now()
	if !acrAtLeast(cl.ACR, st.ACR) || (st.MaxAge > 0 && now.Sub(time.Unix(cl.AuthTime, 0)) > time.Duration(st.MaxAge+30)*time.Second) {
		return p.fail(c, http.StatusForbidden, "pg_err_step_up", nil)
	}
	s := &session{Subject: cl.Subject, Unit: cl.UnitID, Name: cl.Name, ACR: cl.ACR, IDP: cl.IDP, AuthTime: cl.AuthTime, SID: cl.SID,
		Created: now.Unix(), Seen: now.Unix(), CSRFSeed: secrets.Random(32), Pending: st.Pending}
	if s.Name == "" {
		if u, ok := accounts.UnitOfSubject(s.Subject); ok {
			s.Name = u
		}
	}
	p.saveSession(c, s)
	next := st.Next
	if next == "" {
		next = p.home(c, s)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// redeem exchanges the code and verifies the ID token.
func (si *signin) redeem(ctx context.Context, code string, st flowState) (idClaims, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, si.client)
	tok, err := si.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return idClaims{}, fmt.Errorf("pages: redeem code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return idClaims{}, errors.New("pages: token response without an ID token")
	}
	idt, err := si.verifier.Verify(oidc.ClientContext(ctx, si.client), raw)
	if err != nil {
		return idClaims{}, fmt.Errorf("pages: ID token: %w", err)
	}
	if idt.Nonce != st.Nonce {
		return idClaims{}, errors.New("pages: ID token nonce does not match the sign-in")
	}
	var cl idClaims
	if err := idt.Claims(&cl); err != nil {
		return idClaims{}, fmt.Errorf("pages: ID token claims: %w", err)
	}
	return cl, nil
}

// fresh reports whether s may make a change that needs acr: signed in at
// that level or higher, within pages.step_up.max_age.
func (p *Pages) fresh(s *session, acr string) bool {
	return acrAtLeast(s.ACR, acr) && p.o.Now().Sub(time.Unix(s.AuthTime, 0)) <= p.o.Config.StepUp.MaxAge
}

// stepUpFor sends a session too old or too weak for a change through a new
// login, keeping the form's input except the fields named in secret; the
// browser comes back to back with the form filled in again.
func (p *Pages) stepUpFor(c echo.Context, acr, back string, secret ...string) error {
	form := url.Values{}
	if f, err := c.FormParams(); err == nil {
		for k, v := range f {
			if k != "csrf" && !slices.Contains(secret, k) {
				form[k] = v
			}
		}
	}
	return p.signin.start(c, back, stepUp{ACR: acr, MaxAge: p.o.Config.StepUp.MaxAge}, &pending{Path: back, Form: form})
}

// signout ends the page session and the broker's SSO session (RP-initiated
// logout), then shows the signed-out page.
func (p *Pages) signout(c echo.Context, s *session) error {
	p.setCookie(c, sessionCookie, "", -1)
	q := url.Values{"client_id": {ClientID}, "post_logout_redirect_uri": {p.origin + "/logged-out"}}
	return c.Redirect(http.StatusSeeOther, strings.TrimSuffix(p.o.Issuer, "/")+"/end_session?"+q.Encode())
}
