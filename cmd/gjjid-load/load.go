package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gjjid/gjjid/broker/brokertest/loadhttp"
)

// codeBatch is how many authorization codes exist at once: a batch is
// minted and redeemed well within the broker's 60 s code lifetime.
const codeBatch = 2000

// loader holds the HTTP clients and what the cases share.
type loader struct {
	o  *options
	tr *http.Transport
	// hc sends the measured requests (anything but 200 is an error); it
	// never follows redirects.
	hc loadhttp.Client
	// browser keeps cookies and follows the broker's redirects up to the
	// client's redirect URI, like a browser during a login.
	browser *http.Client
	ep      endpoints

	svcAuth, rpAuth string
	loggedIn        bool
}

// endpoints are read from the discovery document.
type endpoints struct {
	Issuer        string `json:"issuer"`
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	Introspection string `json:"introspection_endpoint"`
	JWKS          string `json:"jwks_uri"`
	Revocation    string `json:"revocation_endpoint"`
	EndSession    string `json:"end_session_endpoint"`
}

func newLoader(ctx context.Context, o *options) (*loader, error) {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !o.allowRemote {
		d.Control = loopbackOnly
	}
	idle := max(64, 2*o.concurrency)
	tr := &http.Transport{
		Proxy:               nil, // never through a proxy: the load stays on this machine
		DialContext:         d.DialContext,
		MaxIdleConns:        idle,
		MaxIdleConnsPerHost: idle,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
		DisableCompression:  true,
	}
	l := &loader{o: o, tr: tr,
		hc: loadhttp.Client{HTTP: &http.Client{Transport: tr, Timeout: o.timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}},
		svcAuth: loadhttp.BasicAuth(o.clientID, o.clientSecret),
		rpAuth:  loadhttp.BasicAuth(o.rpID, o.rpSecret),
	}
	l.browser = newBrowser(tr, o.timeout, o.redirectURI)
	body, err := l.discover(ctx)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if err := json.Unmarshal(body, &l.ep); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if l.ep.Issuer != o.issuer {
		return nil, fmt.Errorf("discovery: issuer is %q, not %q", l.ep.Issuer, o.issuer)
	}
	return l, nil
}

func (l *loader) close() { l.tr.CloseIdleConnections() }

// discover fetches the discovery document, retrying connection failures
// for up to --wait.
func (l *loader) discover(ctx context.Context) ([]byte, error) {
	until := time.Now().Add(l.o.wait)
	for {
		body, err := l.hc.Get(ctx, l.o.issuer+"/.well-known/openid-configuration", new(bytes.Buffer))
		var oe *net.OpError
		if err == nil || !errors.As(err, &oe) || !time.Now().Before(until) {
			return body, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// loadCase is one kind of request.
type loadCase struct {
	// batch > 0: prepare(n) makes what the next n ≤ batch requests consume,
	// outside the measured time.
	batch   int
	prepare func(ctx context.Context, n int) error
	// do sends request i (within the batch) on worker w.
	do func(ctx context.Context, w, i int, buf *bytes.Buffer) error
	// chained: a failed request ends its worker (its refresh chain is gone).
	chained bool
}

var (
	accessTokenField = []byte(`"access_token":"`)
	activeTrue       = []byte(`"active":true`)
)

// expect fails a 200 response whose body lacks want.
func expect(body []byte, err error, want []byte) error {
	if err == nil && !bytes.Contains(body, want) {
		return fmt.Errorf("response without %s: %.200s", want, body)
	}
	return err
}

func (l *loader) caseFor(ctx context.Context, name string) (*loadCase, error) {
	o := l.o
	switch name {
	case "client_credentials":
		form := l.ccForm()
		return &loadCase{do: func(ctx context.Context, _, _ int, buf *bytes.Buffer) error {
			body, err := l.hc.Post(ctx, l.ep.Token, l.svcAuth, form, buf)
			return expect(body, err, accessTokenField)
		}}, nil
	case "introspection":
		if l.ep.Introspection == "" {
			return nil, errors.New("the broker advertises no introspection_endpoint")
		}
		tok := &introspected{l: l}
		if _, err := tok.form(ctx); err != nil {
			return nil, err
		}
		return &loadCase{do: func(ctx context.Context, _, _ int, buf *bytes.Buffer) error {
			form, err := tok.form(ctx)
			if err != nil {
				return err
			}
			body, err := l.hc.Post(ctx, l.ep.Introspection, l.svcAuth, form, buf)
			return expect(body, err, activeTrue)
		}}, nil
	case "jwks":
		return &loadCase{do: func(ctx context.Context, _, _ int, buf *bytes.Buffer) error {
			body, err := l.hc.Get(ctx, l.ep.JWKS, buf)
			return expect(body, err, []byte(`"keys"`))
		}}, nil
	case "discovery":
		u := o.issuer + "/.well-known/openid-configuration"
		return &loadCase{do: func(ctx context.Context, _, _ int, buf *bytes.Buffer) error {
			body, err := l.hc.Get(ctx, u, buf)
			return expect(body, err, []byte(`"token_endpoint"`))
		}}, nil
	case "code_exchange":
		if err := l.login(ctx); err != nil {
			return nil, err
		}
		var forms []string
		return &loadCase{batch: codeBatch,
			prepare: func(ctx context.Context, n int) error {
				gs, err := l.mintCodes(ctx, n)
				if err != nil {
					return err
				}
				forms = make([]string, len(gs))
				for i, g := range gs {
					forms[i] = l.codeForm(g)
				}
				return nil
			},
			do: func(ctx context.Context, _, i int, buf *bytes.Buffer) error {
				body, err := l.hc.Post(ctx, l.ep.Token, l.rpAuth, forms[i], buf)
				return expect(body, err, accessTokenField)
			}}, nil
	case "refresh":
		if err := l.login(ctx); err != nil {
			return nil, err
		}
		chains, err := l.refreshChains(ctx, o.concurrency)
		if err != nil {
			return nil, err
		}
		return &loadCase{chained: true, do: func(ctx context.Context, w, _ int, buf *bytes.Buffer) error {
			form := "grant_type=refresh_token&refresh_token=" + url.QueryEscape(chains[w])
			body, err := l.hc.Post(ctx, l.ep.Token, l.rpAuth, form, buf)
			if err != nil {
				return err
			}
			var tr tokenResponse
			if err := json.Unmarshal(body, &tr); err != nil {
				return err
			}
			if tr.RefreshToken == "" || tr.RefreshToken == chains[w] {
				return errors.New("refresh token not rotated")
			}
			chains[w] = tr.RefreshToken
			return nil
		}}, nil
	}
	return nil, fmt.Errorf("unknown case %q", name)
}

func (l *loader) ccForm() string {
	v := url.Values{"grant_type": {"client_credentials"}}
	if l.o.scope != "" {
		v.Set("scope", l.o.scope)
	}
	return v.Encode()
}

// tokenResponse is what the cases read of a token response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
}

// introspected is the access token the introspection case asks about,
// replaced by a new client_credentials token once half its lifetime has
// passed: a long run (the soak's tokens live 2 minutes) must keep asking
// about a live token.
type introspected struct {
	l       *loader
	mu      sync.Mutex
	body    string // the introspection request's form
	renewAt time.Time
}

func (t *introspected) form(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.body != "" && time.Now().Before(t.renewAt) {
		return t.body, nil
	}
	var tr tokenResponse
	body, err := t.l.hc.Post(ctx, t.l.ep.Token, t.l.svcAuth, t.l.ccForm(), new(bytes.Buffer))
	if err == nil {
		err = json.Unmarshal(body, &tr)
	}
	if err != nil || tr.AccessToken == "" || tr.ExpiresIn <= 0 {
		return "", fmt.Errorf("client_credentials token to introspect: %v (%.200s)", err, body)
	}
	t.body = url.Values{"token": {tr.AccessToken}}.Encode()
	t.renewAt = time.Now().Add(time.Duration(tr.ExpiresIn) * time.Second / 2)
	return t.body, nil
}

// refreshChains redeems n codes and returns their refresh tokens.
func (l *loader) refreshChains(ctx context.Context, n int) ([]string, error) {
	gs, err := l.mintCodes(ctx, n)
	if err != nil {
		return nil, err
	}
	chains := make([]string, n)
	buf := new(bytes.Buffer)
	for i, g := range gs {
		body, err := l.hc.Post(ctx, l.ep.Token, l.rpAuth, l.codeForm(g), buf)
		if err != nil {
			return nil, fmt.Errorf("redeem code: %w", err)
		}
		var tr tokenResponse
		if err := json.Unmarshal(body, &tr); err != nil {
			return nil, fmt.Errorf("redeem code: %w", err)
		}
		if tr.RefreshToken == "" {
			return nil, fmt.Errorf("no refresh token for %s: it needs the refresh_token grant and offline_access", l.o.rpID)
		}
		chains[i] = tr.RefreshToken
	}
	return chains, nil
}

// result is one case's outcome.
type result struct {
	name     string
	ok       int
	errors   int
	elapsed  time.Duration
	lat      []time.Duration
	firstErr error
}

// runCase runs one case until its request count or measured time is used
// up, or it failed --max-errors times.
func (l *loader) runCase(ctx context.Context, name string) (*result, error) {
	c, err := l.caseFor(ctx, name)
	if err != nil {
		return nil, err
	}
	res := &result{name: name}
	for ctx.Err() == nil && res.errors < l.o.maxErrors {
		budget := l.o.duration - res.elapsed
		if budget <= 0 {
			break
		}
		n := maxRequests
		if l.o.requests > 0 {
			n = l.o.requests - res.ok - res.errors
			if n <= 0 {
				break
			}
		}
		if c.batch > 0 {
			n = min(n, c.batch)
			if err := c.prepare(ctx, n); err != nil {
				return nil, err
			}
		}
		if sent := l.drive(ctx, c, n, budget, res); sent == 0 {
			break // every worker stopped (chains broken)
		}
	}
	return res, nil
}

// drive sends up to n requests with o.concurrency workers for at most
// budget and adds the outcome to res. It returns how many it sent.
func (l *loader) drive(ctx context.Context, c *loadCase, n int, budget time.Duration, res *result) int {
	var (
		next, sent, errs atomic.Int64
		mu               sync.Mutex
		wg               sync.WaitGroup
		lats             = make([][]time.Duration, l.o.concurrency)
		limit            = int64(l.o.maxErrors - res.errors)
	)
	start := time.Now()
	deadline := start.Add(budget)
	for w := range l.o.concurrency {
		wg.Go(func() {
			buf := new(bytes.Buffer)
			var own []time.Duration
			defer func() { lats[w] = own }()
			for ctx.Err() == nil && errs.Load() < limit {
				i := int(next.Add(1) - 1)
				t0 := time.Now()
				if i >= n || !t0.Before(deadline) {
					return
				}
				sent.Add(1)
				err := c.do(ctx, w, i, buf)
				if err != nil {
					errs.Add(1)
					mu.Lock()
					if res.firstErr == nil {
						res.firstErr = err
					}
					mu.Unlock()
					if c.chained {
						return
					}
					continue
				}
				own = append(own, time.Since(t0))
			}
		})
	}
	wg.Wait()
	res.elapsed += time.Since(start)
	res.errors += int(errs.Load())
	for _, l := range lats {
		res.ok += len(l)
		res.lat = append(res.lat, l...)
	}
	return int(sent.Load())
}
