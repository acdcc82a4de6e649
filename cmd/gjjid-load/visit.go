package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/gjjid/gjjid/broker/secrets"
)

// A soak's code flow is a person's whole visit, so that everything it
// starts also ends, as it does for a real user: a browser of its own signs
// in with a password, the client redeems the code, and at the end revokes
// its refresh token (RFC 7009) and sends the browser to end_session with
// the ID token (OpenID Connect RP-Initiated Logout 1.0), which ends the SSO
// session. A visit that never ended would leave a 30-day refresh family and
// an SSO session behind, which no real deployment accumulates at that rate.

// visitAccount is a demo agent visits sign in as. At most slots visits of
// one account are in flight: the password connector counts every attempt
// against the account until a success resets it, and refuses a sixth
// concurrent one as a lockout.
type visitAccount struct {
	user, password string
	slots          chan struct{}
}

// visitSources are the loopback addresses visits come from, one after the
// other: the broker allows login.ip_rate_limit (30) logins per address and
// minute, and real visitors do not share one address. Linux routes all of
// 127.0.0.0/8 to the loopback interface.
const visitSources = 253 // 127.0.0.2 … 127.0.0.254

// visitor runs visits.
type visitor struct {
	l             *loader
	accounts      []*visitAccount
	next          atomic.Uint64
	postLogoutURI string
}

func newVisitor(l *loader, postLogoutURI string, accounts ...[2]string) *visitor {
	v := &visitor{l: l, postLogoutURI: postLogoutURI}
	for _, a := range accounts {
		v.accounts = append(v.accounts, &visitAccount{user: a[0], password: a[1], slots: make(chan struct{}, 4)})
	}
	return v
}

// visitOutcome is what a visit got, for tests to check that it ended.
type visitOutcome struct {
	browser              *http.Client
	accessToken, refresh string
	source               net.IP
}

// visit runs one visit; its latency includes waiting for an account slot.
func (v *visitor) visit(ctx context.Context, buf *bytes.Buffer) error {
	_, err := v.run(ctx, buf)
	return err
}

func (v *visitor) run(ctx context.Context, buf *bytes.Buffer) (*visitOutcome, error) {
	n := v.next.Add(1) - 1
	a := v.accounts[n%uint64(len(v.accounts))]
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-a.slots }()

	src := net.IPv4(127, 0, 0, byte(2+n%visitSources))
	tr := v.l.transport(src)
	defer tr.CloseIdleConnections()
	br := newBrowser(tr, v.l.o.timeout, v.l.o.redirectURI, v.postLogoutURI)
	out := &visitOutcome{browser: br, source: src}

	g, err := v.l.passwordLogin(ctx, br, a.user, a.password)
	if err != nil {
		return nil, err
	}
	body, err := v.l.hc.Post(ctx, v.l.ep.Token, v.l.rpAuth, v.l.codeForm(g), buf)
	if err != nil {
		return nil, fmt.Errorf("redeem code: %w", err)
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		return nil, fmt.Errorf("redeem code: %w", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" {
		return nil, errors.New("redeem code: want an access, a refresh and an ID token")
	}
	out.accessToken, out.refresh = tok.AccessToken, tok.RefreshToken

	if v.l.ep.Revocation == "" || v.l.ep.EndSession == "" {
		return nil, errors.New("the broker advertises no revocation_endpoint or end_session_endpoint")
	}
	form := url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}.Encode()
	if _, err := v.l.hc.Post(ctx, v.l.ep.Revocation, v.l.rpAuth, form, buf); err != nil {
		return nil, fmt.Errorf("revoke: %w", err)
	}
	if err := v.endSession(ctx, br, tok.IDToken); err != nil {
		return nil, err
	}
	return out, nil
}

// endSession sends the browser to end_session and expects it back at the
// post-logout redirect URI with its state.
func (v *visitor) endSession(ctx context.Context, br *http.Client, idToken string) error {
	state := secrets.Random(12)
	q := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {v.postLogoutURI}, "state": {state}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.l.ep.EndSession+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := br.Do(req)
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || !atRedirectURI(loc, v.postLogoutURI) || loc.Query().Get("state") != state {
		return fmt.Errorf("end session: status %d at %s, want a redirect to %s with the state", resp.StatusCode, resp.Request.URL.Path, v.postLogoutURI)
	}
	return nil
}

// transport is a transport whose connections come from src: keep-alive
// within a visit, closed after it.
func (l *loader) transport(src net.IP) *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: src}, Control: loopbackOnly}
	return &http.Transport{Proxy: nil, DialContext: d.DialContext, MaxIdleConnsPerHost: 2,
		IdleConnTimeout: 30 * time.Second, DisableCompression: true}
}
