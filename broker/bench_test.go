//go:build unix

package broker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/loadhttp"
	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// BenchmarkEndpoints measures the protocol endpoints over real HTTP on
// loopback, at a fixed concurrency of 32 requests in flight, against one
// broker per store. Each sub-benchmark reports requests per second, the
// median and 99th percentile latency of single requests, and cpu-us/req:
// the CPU time this process (load generator and broker) spent per request,
// which stays meaningful on a busy machine (2e6/cpu-us/req bounds what two
// dedicated cores could serve). ns/op is suppressed (it would only be
// 1/throughput). Only 200 responses count; anything else fails the
// benchmark. Everything a request
// consumes (authorization codes, refresh chains, tokens to introspect) is
// made with the timer stopped.
//
//	go test ./broker/ -run '^$' -bench BenchmarkEndpoints -benchtime=2s
//
// The Redis store uses REDIS_URL when set, otherwise a private
// redis-server (see redistest); keys live under a random prefix that is
// deleted afterwards.
func BenchmarkEndpoints(b *testing.B) {
	stores := []struct {
		name string
		opts func(b *testing.B) bt.Options
	}{
		{"memory", func(*testing.B) bt.Options { return bt.Options{} }},
		{"redis", benchRedisOptions},
		{"postgres", benchPostgresOptions}, // Redis for the hot state, PostgreSQL for the durable records
	}
	cases := []struct {
		name string
		run  func(b *testing.B, e *benchEnv)
	}{
		{"client_credentials", benchClientCredentials},
		{"code_exchange", benchCodeExchange},
		{"refresh", benchRefresh},
		{"refresh_dpop", benchRefreshDPoP},
		{"introspection", benchIntrospection},
		{"jwks", benchJWKS},
		{"discovery", benchDiscovery},
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			e := newBenchEnv(b, bt.Start(b, st.opts(b)))
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) { c.run(b, e) })
			}
		})
	}
}

// benchRedisOptions points the broker at Redis under a fresh prefix and
// deletes that prefix's keys when the benchmark ends.
func benchRedisOptions(b *testing.B) bt.Options {
	u, prefix := redistest.URL(b), redistest.Prefix(b)
	ro, err := goredis.ParseURL(u)
	if err != nil {
		b.Fatalf("REDIS_URL: %v", err)
	}
	c := goredis.NewClient(ro)
	b.Cleanup(func() { c.Close() })
	redistest.CleanupKeys(b, c, prefix) // runs before c.Close, after the broker stopped
	return bt.Options{RedisURL: u, KeyPrefix: prefix}
}

const (
	benchConcurrency = 32
	// benchCodeBatch bounds how many authorization codes exist at once: a batch
	// is minted and redeemed well within the 60 s code lifetime.
	benchCodeBatch = 5000
)

// benchEnv is one running broker and what the cases share.
type benchEnv struct {
	rp   *bt.RP
	http loadhttp.Client // the load client: keep-alive, 64 idle connections
	// mint follows redirects with the SSO browser's cookie jar.
	mint *http.Client

	tokenURL, introspectURL, jwksURL, discoveryURL string
	demoAuth, serviceAuth                          string // Authorization headers

	once   sync.Once
	chains []string // refresh chains, one current refresh token per worker
	userAT string   // a user access token to introspect

	dpopOnce   sync.Once
	dpopChains []string     // the native client's DPoP-bound refresh chains
	prover     *dpop.Prover // their key
}

func benchTransport() *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

func newBenchEnv(b *testing.B, br *bt.Broker) *benchEnv {
	b.Helper()
	tr := benchTransport()
	b.Cleanup(tr.CloseIdleConnections)
	e := &benchEnv{
		rp:            bt.NewRP(b, br.URL),
		http:          loadhttp.Client{HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}},
		tokenURL:      br.URL + "/oauth/token",
		introspectURL: br.URL + "/oauth/introspect",
		jwksURL:       br.URL + "/keys",
		discoveryURL:  br.URL + "/.well-known/openid-configuration",
		demoAuth:      loadhttp.BasicAuth(bt.ClientID, bt.ClientSecret),
		serviceAuth:   loadhttp.BasicAuth(bt.ServiceID, bt.ServiceSecret),
	}
	// One password login (argon2id) for the whole run; every further code
	// comes from the SSO session this browser now holds.
	browser := bt.NewBrowser(b)
	f := e.rp.NewFlow()
	loc, err := browser.Login(br.URL, f.URL, bt.AgentIDNumber, bt.AgentPassword)
	if err != nil {
		b.Fatalf("login: %v", err)
	}
	if _, err := e.rp.Callback(f, loc); err != nil {
		b.Fatalf("login callback: %v (page %d: %.200s)", err, browser.Last, browser.Page)
	}
	e.mint = &http.Client{Transport: tr, Jar: browser.Client.Jar, CheckRedirect: browser.Client.CheckRedirect, Timeout: 30 * time.Second}
	return e
}

// benchGrant is an authorization code with its PKCE verifier.
type benchGrant struct{ code, verifier string }

// mintCode runs /authorize with the SSO browser: the session answers it
// without a password, and the redirect to the client carries a new code.
func (e *benchEnv) mintCode() (benchGrant, error) { return e.mintCodeFor(e.rp) }

func (e *benchEnv) mintCodeFor(rp *bt.RP) (benchGrant, error) {
	f := rp.NewFlow()
	resp, err := e.mint.Get(f.URL)
	if err != nil {
		return benchGrant{}, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		return benchGrant{}, fmt.Errorf("authorize from the SSO session: status %d at %s, want a redirect to the client", resp.StatusCode, resp.Request.URL.Path)
	}
	loc, err := resp.Location()
	if err != nil {
		return benchGrant{}, err
	}
	code, err := rp.Callback(f, loc)
	if err != nil {
		return benchGrant{}, err
	}
	return benchGrant{code, f.Verifier}, nil
}

// mintCodes makes n codes, 8 at a time.
func (e *benchEnv) mintCodes(n int) ([]benchGrant, error) {
	out := make([]benchGrant, n)
	err := loadhttp.Parallel(n, 8, func(_, i int) (err error) {
		out[i], err = e.mintCode()
		return err
	})
	return out, err
}

// benchTokenResponse is what the cases read of a token response.
type benchTokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

// exchange redeems a code, outside any measurement.
func (e *benchEnv) exchange(g benchGrant) (benchTokenResponse, error) {
	var tr benchTokenResponse
	body, err := e.post(e.tokenURL, e.demoAuth, benchCodeForm(g), new(bytes.Buffer))
	if err == nil {
		err = json.Unmarshal(body, &tr)
	}
	if err == nil && (tr.AccessToken == "" || tr.RefreshToken == "") {
		err = fmt.Errorf("token response without access or refresh token: %.200s", body)
	}
	return tr, err
}

func benchCodeForm(g benchGrant) string {
	return url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {bt.RedirectURI},
		"code_verifier": {g.verifier}}.Encode()
}

// setup mints the refresh chains and the user access token once per broker.
func (e *benchEnv) setup(b *testing.B) {
	var err error
	e.once.Do(func() {
		var gs []benchGrant
		if gs, err = e.mintCodes(benchConcurrency + 1); err != nil {
			return
		}
		chains := make([]string, benchConcurrency)
		for i, g := range gs {
			var tr benchTokenResponse
			if tr, err = e.exchange(g); err != nil {
				return
			}
			if i == benchConcurrency {
				e.userAT = tr.AccessToken
			} else {
				chains[i] = tr.RefreshToken
			}
		}
		e.chains = chains
	})
	if err != nil {
		b.Fatalf("prepare grants: %v", err)
	}
	if e.chains == nil {
		b.Fatal("prepare grants failed earlier")
	}
}

// post sends a form with an Authorization header; only 200 is a success.
func (e *benchEnv) post(u, auth, form string, buf *bytes.Buffer) ([]byte, error) {
	return e.http.Post(context.Background(), u, auth, form, buf)
}

func (e *benchEnv) get(u string, buf *bytes.Buffer) ([]byte, error) {
	return e.http.Get(context.Background(), u, buf)
}

// benchMeasurement collects the latencies of successful requests over one or
// more timed phases, and the CPU time this process (load generator and
// broker together; not an external redis-server) spent in them.
type benchMeasurement struct {
	lat     []time.Duration
	elapsed time.Duration
	cpu     time.Duration
}

// benchCPU is the user+system CPU time this process has used.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// drive runs n requests with benchConcurrency workers and the timer
// running. do(w, i, buf) performs request i on worker w (worker-local
// buffer). The first failure stops all workers and fails the benchmark.
func (m *benchMeasurement) drive(b *testing.B, n int, do func(w, i int, buf *bytes.Buffer) error) {
	b.Helper()
	bufs, lats := make([]*bytes.Buffer, benchConcurrency), make([][]time.Duration, benchConcurrency)
	for w := range bufs {
		bufs[w], lats[w] = new(bytes.Buffer), make([]time.Duration, 0, n/benchConcurrency+1)
	}
	b.StartTimer()
	start, cpu0 := time.Now(), benchCPU()
	err := loadhttp.Parallel(n, benchConcurrency, func(w, i int) error {
		t0 := time.Now()
		if err := do(w, i, bufs[w]); err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		lats[w] = append(lats[w], time.Since(t0))
		return nil
	})
	m.elapsed += time.Since(start)
	m.cpu += benchCPU() - cpu0
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range lats {
		m.lat = append(m.lat, l...)
	}
}

// report sets req/s, p50-ms, p99-ms and cpu-us/req (process CPU time per
// request: the load generator's share included, so 2e6/cpu-us/req bounds
// what two dedicated cores could do) and suppresses ns/op.
func (m *benchMeasurement) report(b *testing.B) {
	if len(m.lat) == 0 || m.elapsed <= 0 {
		return
	}
	slices.Sort(m.lat)
	b.ReportMetric(float64(len(m.lat))/m.elapsed.Seconds(), "req/s")
	b.ReportMetric(benchMS(benchPercentile(m.lat, 50)), "p50-ms")
	b.ReportMetric(benchMS(benchPercentile(m.lat, 99)), "p99-ms")
	b.ReportMetric(float64(m.cpu)/float64(time.Microsecond)/float64(len(m.lat)), "cpu-us/req")
	b.ReportMetric(0, "ns/op")
}

// benchPercentile is the nearest-rank percentile of sorted durations.
func benchPercentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ⌈p/100 · n⌉
	return sorted[max(1, min(rank, len(sorted)))-1]
}

func benchMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchSimple runs b.N identical requests.
func benchSimple(b *testing.B, do func(buf *bytes.Buffer) error) {
	b.StopTimer()
	var m benchMeasurement
	m.drive(b, b.N, func(_, _ int, buf *bytes.Buffer) error { return do(buf) })
	m.report(b)
}

var (
	benchActiveTrue  = []byte(`"active":true`)
	benchAccessToken = []byte(`"access_token":"`)
)

func benchClientCredentials(b *testing.B, e *benchEnv) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"gjj:api"}}.Encode()
	benchSimple(b, func(buf *bytes.Buffer) error {
		body, err := e.post(e.tokenURL, e.serviceAuth, form, buf)
		if err == nil && !bytes.Contains(body, benchAccessToken) {
			err = fmt.Errorf("no access token: %.200s", body)
		}
		return err
	})
}

func benchIntrospection(b *testing.B, e *benchEnv) {
	b.StopTimer()
	e.setup(b)
	form := url.Values{"token": {e.userAT}}.Encode()
	benchSimple(b, func(buf *bytes.Buffer) error {
		body, err := e.post(e.introspectURL, e.demoAuth, form, buf)
		if err == nil && !bytes.Contains(body, benchActiveTrue) {
			err = fmt.Errorf("token not active: %.200s", body)
		}
		return err
	})
}

func benchJWKS(b *testing.B, e *benchEnv) {
	benchSimple(b, func(buf *bytes.Buffer) error {
		body, err := e.get(e.jwksURL, buf)
		if err == nil && !bytes.Contains(body, []byte(`"keys"`)) {
			err = fmt.Errorf("not a key set: %.200s", body)
		}
		return err
	})
}

func benchDiscovery(b *testing.B, e *benchEnv) {
	benchSimple(b, func(buf *bytes.Buffer) error {
		body, err := e.get(e.discoveryURL, buf)
		if err == nil && !bytes.Contains(body, []byte(`"token_endpoint"`)) {
			err = fmt.Errorf("not a discovery document: %.200s", body)
		}
		return err
	})
}

// benchCodeExchange redeems one fresh code per request. Codes are minted
// from the SSO session in batches with the timer stopped.
func benchCodeExchange(b *testing.B, e *benchEnv) {
	b.StopTimer()
	var m benchMeasurement
	for done := 0; done < b.N; {
		n := min(benchCodeBatch, b.N-done)
		gs, err := e.mintCodes(n)
		if err != nil {
			b.Fatalf("mint codes: %v", err)
		}
		forms := make([]string, n)
		for i, g := range gs {
			forms[i] = benchCodeForm(g)
		}
		m.drive(b, n, func(_, i int, buf *bytes.Buffer) error {
			body, err := e.post(e.tokenURL, e.demoAuth, forms[i], buf)
			if err == nil && !bytes.Contains(body, []byte(`"id_token":"`)) {
				err = fmt.Errorf("no id token: %.200s", body)
			}
			return err
		})
		done += n
	}
	m.report(b)
}

// benchRefresh: each worker refreshes its own grant sequentially, since
// every refresh rotates the token it presents.
func benchRefresh(b *testing.B, e *benchEnv) {
	b.StopTimer()
	e.setup(b)
	var m benchMeasurement
	m.drive(b, b.N, func(w, _ int, buf *bytes.Buffer) error {
		form := "grant_type=refresh_token&refresh_token=" + url.QueryEscape(e.chains[w])
		body, err := e.post(e.tokenURL, e.demoAuth, form, buf)
		if err != nil {
			return err
		}
		var tr benchTokenResponse
		if err := json.Unmarshal(body, &tr); err != nil {
			return err
		}
		if tr.RefreshToken == "" || tr.RefreshToken == e.chains[w] {
			return errors.New("refresh token not rotated")
		}
		e.chains[w] = tr.RefreshToken
		return nil
	})
	m.report(b)
}

// setupDPoP mints the native (public) client's refresh chains with DPoP:
// each family is bound to one key, as the app's would be.
func (e *benchEnv) setupDPoP(b *testing.B) {
	var err error
	e.dpopOnce.Do(func() {
		e.prover = bt.NewProver(b)
		native := *e.rp
		native.OAuth2.ClientID, native.OAuth2.ClientSecret = bt.NativeClientID, ""
		native.OAuth2.RedirectURL = "http://127.0.0.1:49152/callback"
		chains := make([]string, benchConcurrency)
		for i := range chains {
			var g benchGrant
			if g, err = e.mintCodeFor(&native); err != nil {
				return
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {native.OAuth2.RedirectURL},
				"code_verifier": {g.verifier}, "client_id": {bt.NativeClientID}}.Encode()
			var body []byte
			if body, err = e.postDPoP(form, e.mustProof(b), new(bytes.Buffer)); err != nil {
				return
			}
			var tr benchTokenResponse
			if err = json.Unmarshal(body, &tr); err != nil {
				return
			}
			chains[i] = tr.RefreshToken
		}
		e.dpopChains = chains
	})
	if err != nil || e.dpopChains == nil {
		b.Fatalf("prepare DPoP grants: %v", err)
	}
}

func (e *benchEnv) mustProof(b *testing.B) string {
	p, err := e.prover.Proof(http.MethodPost, e.tokenURL, "", "")
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// postDPoP sends a public client's token request with a proof.
func (e *benchEnv) postDPoP(form, proof string, buf *bytes.Buffer) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, e.tokenURL, strings.NewReader(form))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("DPoP", proof)
	return e.http.Do(req, buf)
}

// benchRefreshDPoP is benchRefresh for a public client whose refresh
// tokens are bound to its DPoP key (RFC 9449 §5): every refresh carries a
// fresh proof, which the broker verifies (signature, claims, and the
// single-use jti in the store) before rotating. The proofs are signed
// with the timer stopped: the client's signing is not the broker's cost.
func benchRefreshDPoP(b *testing.B, e *benchEnv) {
	b.StopTimer()
	e.setupDPoP(b)
	proofs := make([]string, b.N)
	for i := range proofs {
		proofs[i] = e.mustProof(b)
	}
	var m benchMeasurement
	m.drive(b, b.N, func(w, i int, buf *bytes.Buffer) error {
		form := "grant_type=refresh_token&client_id=" + bt.NativeClientID + "&refresh_token=" + url.QueryEscape(e.dpopChains[w])
		body, err := e.postDPoP(form, proofs[i], buf)
		if err != nil {
			return err
		}
		var tr benchTokenResponse
		if err := json.Unmarshal(body, &tr); err != nil {
			return err
		}
		if tr.RefreshToken == "" || tr.RefreshToken == e.dpopChains[w] {
			return errors.New("refresh token not rotated")
		}
		e.dpopChains[w] = tr.RefreshToken
		return nil
	})
	m.report(b)
}
