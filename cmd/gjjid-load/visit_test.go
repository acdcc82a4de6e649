package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestVisitEndsWhatItStarts: a soak visit signs in, gets tokens and ends
// them: its refresh token is revoked (and with it the grant's access
// token), its SSO session ended. More visits than one address may sign in
// per minute succeed, from as many loopback addresses, and two accounts'
// concurrent visits never trip the password lockout.
func TestVisitEndsWhatItStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker")
	}
	b := bt.Start(t, bt.Options{})
	ctx := context.Background()
	l, err := newLoader(ctx, &options{issuer: b.URL, concurrency: 8, timeout: 10 * time.Second, wait: 10 * time.Second,
		rpID: bt.ClientID, rpSecret: bt.ClientSecret, redirectURI: bt.RedirectURI})
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	v := newVisitor(l, bt.PostLogoutURI, [2]string{bt.AgentIDNumber, bt.AgentPassword}, [2]string{bt.Agent2IDNumber, bt.Agent2Password})

	const visits = 40 // above login.ip_rate_limit (30 a minute from one address)
	outcomes := make([]*visitOutcome, visits)
	errs := make([]error, visits)
	var wg sync.WaitGroup
	for w := range 10 { // more than both accounts' slots together
		wg.Go(func() {
			buf := new(bytes.Buffer)
			for i := w; i < visits; i += 10 {
				outcomes[i], errs[i] = v.run(ctx, buf)
			}
		})
	}
	wg.Wait()
	sources := map[string]bool{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("visit %d: %v", i, err)
		}
		sources[outcomes[i].source.String()] = true
	}
	if len(sources) != visits {
		t.Errorf("%d visits came from %d addresses", visits, len(sources))
	}

	for _, o := range outcomes[:3] {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {o.refresh}}.Encode()
		if _, err := l.hc.Post(ctx, l.ep.Token, l.rpAuth, form, new(bytes.Buffer)); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("refresh with a visit's revoked token: %v, want invalid_grant", err)
		}
		if in, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, o.accessToken); err != nil || in["active"] != false {
			t.Errorf("access token of a visit's revoked grant: %v %v", in, err)
		}
		// The browser's SSO session ended: prompt=none finds none.
		f := l.newFlow()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.url+"&prompt=none", nil)
		resp, err := o.browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := resp.Location()
		if loc == nil || loc.Query().Get("error") != "login_required" {
			t.Errorf("prompt=none in a visit's browser after its logout: %d %v, want login_required", resp.StatusCode, loc)
		}
	}
}
