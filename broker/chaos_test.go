package broker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// The chaos tests run a broker on a private Redis under steady mixed load
// (client_credentials for a configured and a stored client, refresh,
// introspection, the authorization endpoint and the login page), break
// Redis and check what relying parties and browsers saw: only 200 (302 from
// the authorization endpoint) or 503 with Retry-After, never an
// authentication error; every answer within the store timeout plus 0.5 s;
// answers again within 5 s of Redis coming back; nothing durable lost.

const (
	chaosStoreTimeout = 500 * time.Millisecond
	chaosLatencyBound = chaosStoreTimeout + 500*time.Millisecond
	chaosRecovery     = 5 * time.Second
	chaosPace         = 20 * time.Millisecond // between one worker's requests
	chaosClientID     = "chaos-batch"
	chaosLinkSubject  = "chaos-alipay-user"
)

// TestChaosRedisFreezeKillRestart: Redis frozen with SIGSTOP for 6 s, then
// killed with SIGKILL and restarted from its append-only file. The freeze
// outlasts the client cache (5 s): the stored client's client_credentials
// must turn from 200 to 503, never to 401.
//
// The chaos tests are not parallel: their latency bound is on measured
// answers, which other tests of the package competing for two cores
// would distort.
func TestChaosRedisFreezeKillRestart(t *testing.T) {
	srv := redistest.StartServer(t, redistest.ServerOptions{})
	h := startChaos(t, func(c *config.Config) {
		c.Store = config.Store{Type: "redis", Redis: config.Redis{URL: srv.URL(), KeyPrefix: "chaos:", Timeout: chaosStoreTimeout}}
	})
	h.load()
	h.steady(time.Second)

	before := h.snapshot()
	h.mark("freeze")
	srv.Freeze()
	time.Sleep(6 * time.Second)
	srv.Thaw()
	h.back("thaw")
	h.checkDurable(before)

	before = h.snapshot()
	h.mark("kill")
	srv.Kill()
	time.Sleep(1500 * time.Millisecond)
	srv.Restart()
	h.back("restart")
	h.checkDurable(before)
	seen := h.finish()
	if seen["client_credentials "+chaosClientID].unavailable == 0 {
		t.Errorf("the stored client was never answered 503: the freeze did not outlast its cache entry, the test missed its point")
	}
}

// TestChaosSentinelFailover: the master of a Sentinel group is killed and
// Sentinel promotes the replica. Redis replicates asynchronously, so what
// the master acknowledged in its last moments may be lost; the test checks
// what the replica had when the master died.
func TestChaosSentinelFailover(t *testing.T) {
	g := redistest.StartSentinelGroup(t)
	h := startChaos(t, func(c *config.Config) {
		c.Store = config.Store{Type: "redis", Redis: config.Redis{Addrs: []string{g.Sentinel}, MasterName: redistest.SentinelMaster,
			KeyPrefix: "chaos:", Timeout: chaosStoreTimeout}}
	})
	h.load()
	h.steady(time.Second)

	before := h.snapshot()
	g.WaitReplicated(t) // what the snapshot saw is on the replica
	h.mark("kill master")
	g.Master.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		addr, err := g.MasterAddr(ctx)
		cancel()
		if err == nil && addr == g.Replica.Addr {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sentinel did not promote the replica within 20 s (master %s, %v)", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.back("failover")
	h.checkDurable(before)
	h.finish()
}

// kindStats is what one kind of request saw.
type kindStats struct {
	n, ok, unavailable int
	max                time.Duration
}

// outcome is one HTTP exchange of the load.
type outcome struct {
	kind       string
	start, end time.Time
	status     int
	retryAfter string
	problem    string // what was wrong with an answer, "" when fine
}

// chaos is a broker under load and what the load saw.
type chaos struct {
	t      *testing.T
	b      *bt.Broker
	began  time.Time
	secret string // of the stored client chaosClientID

	unitID, personID string
	idle             *oauth2.Token // issued before the load; the load only introspects its access token
	idleRefresh      string        // its current refresh token, used only by checkDurable
	refresh          []*oauth2.Token

	stop chan struct{}
	wg   sync.WaitGroup

	mu       sync.Mutex
	outcomes []outcome
	marks    []string
	backs    []backMark
}

// backMark is when Redis came back after a failure, and when the next
// failure began (zero: none), which bounds the recovery's window.
type backMark struct {
	name       string
	at, before time.Time
}

// startChaos starts a broker configured by edit and creates what the test
// checks survives: a client, a unit, a person and a link through the
// admin API (which audits them), and tokens from real logins.
func startChaos(t *testing.T, edit func(*config.Config)) *chaos {
	t.Helper()
	b := bt.Start(t, bt.Options{Edit: edit})
	h := &chaos{t: t, b: b, began: time.Now(), stop: make(chan struct{})}
	api := bt.NewAdminAPI(t, b.URL)
	var created map[string]any
	api.Want(http.StatusCreated, "POST", "/admin/v1/clients", map[string]any{"client_id": chaosClientID, "client_name": "批量对账服务",
		"grant_types": []string{"client_credentials"}}, &created)
	h.secret, _ = created["client_secret"].(string)
	h.unitID = "91110000600037341L"
	api.Want(http.StatusCreated, "POST", "/admin/v1/units", map[string]any{"id": h.unitID, "name": "北京测试有限公司", "customer_no": "110000000009"}, nil)
	var p map[string]any
	api.Want(http.StatusCreated, "POST", "/admin/v1/persons", map[string]any{"name": "赵六", "id_number": "110101198001010053",
		"mobile": "13712345678", "password": "739216"}, &p)
	h.personID, _ = p["id"].(string)
	api.Want(http.StatusCreated, "POST", "/admin/v1/links", map[string]any{"connector": "alipay", "subject": chaosLinkSubject,
		"kind": "person", "person_id": h.personID}, nil)
	rp := bt.NewRP(t, b.URL)
	_, h.idle, _ = login(t, b, rp, bt.NewBrowser(t))
	h.idleRefresh = h.idle.RefreshToken
	for range 2 {
		_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
		h.refresh = append(h.refresh, tok)
	}
	t.Cleanup(h.stopLoad)
	return h
}

// load starts the workers: each sends one kind of request after another,
// chaosPace apart, over keep-alive connections.
func (h *chaos) load() {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	h.t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := h.b.URL + "/oauth/token"
	cc := func(id, secret string) func() {
		return func() {
			h.post(client, "client_credentials "+id, token, url.Values{"grant_type": {"client_credentials"}}, id, secret, nil)
		}
	}
	h.worker(cc(bt.ServiceID, bt.ServiceSecret))
	h.worker(cc(chaosClientID, h.secret))
	for i, tok := range h.refresh {
		rt := tok.RefreshToken
		h.worker(func() {
			h.post(client, fmt.Sprintf("refresh %d", i), token, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}},
				bt.ClientID, bt.ClientSecret, func(body []byte) string {
					var got struct {
						RefreshToken string `json:"refresh_token"`
					}
					if json.Unmarshal(body, &got) != nil || got.RefreshToken == "" {
						return "no refresh_token in " + string(body)
					}
					rt = got.RefreshToken
					return ""
				})
		})
	}
	at := h.idle.AccessToken
	h.worker(func() {
		h.post(client, "introspection", h.b.URL+"/oauth/introspect", url.Values{"token": {at}},
			bt.ClientID, bt.ClientSecret, activeToken)
	})
	rp := bt.NewRP(h.t, h.b.URL)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Transport: tr, Timeout: 10 * time.Second, Jar: jar, CheckRedirect: client.CheckRedirect}
	h.worker(func() {
		// The authorization endpoint, then the login pages it leads to.
		u, kind := rp.NewFlow().URL, "authorize"
		for range 4 {
			resp, o := h.do(browser, kind, http.MethodGet, u, nil, "", "")
			if resp == nil || !redirect(o.status) {
				h.record(o)
				return
			}
			loc, err := resp.Location()
			if err != nil || !strings.HasPrefix(loc.String(), h.b.URL+"/login") {
				o.problem = fmt.Sprintf("redirected to %v, want a login page", loc)
				h.record(o)
				return
			}
			h.record(o)
			u, kind = loc.String(), "login page"
		}
	})
}

func redirect(status int) bool { return status == http.StatusFound || status == http.StatusSeeOther }

// answered: the request succeeded (browsers' steps may redirect).
func answered(status int) bool { return status == http.StatusOK || redirect(status) }

// activeToken checks an introspection answer: the token must still be
// active, an outage must not make it look revoked.
func activeToken(body []byte) string {
	var got struct {
		Active bool `json:"active"`
	}
	if json.Unmarshal(body, &got) != nil || !got.Active {
		return "token not active: " + string(body)
	}
	return ""
}

func (h *chaos) worker(send func()) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for {
			select {
			case <-h.stop:
				return
			default:
			}
			send()
			select {
			case <-h.stop:
				return
			case <-time.After(chaosPace):
			}
		}
	}()
}

// post sends a form with HTTP Basic client authentication and records the
// outcome; check, when set, looks at a 200's body.
func (h *chaos) post(c *http.Client, kind, u string, form url.Values, id, secret string, check func([]byte) string) {
	resp, o := h.do(c, kind, http.MethodPost, u, strings.NewReader(form.Encode()), id, secret)
	if resp != nil && o.status == http.StatusOK && o.problem == "" && check != nil {
		o.problem = check(resp.body)
	}
	h.record(o)
}

type answer struct {
	*http.Response
	body []byte
}

// do sends one request and measures it until the body is read.
func (h *chaos) do(c *http.Client, kind, method, u string, body io.Reader, id, secret string) (*answer, outcome) {
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		h.t.Error(err)
		return nil, outcome{kind: kind, problem: err.Error()}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	o := outcome{kind: kind, start: time.Now()}
	resp, err := c.Do(req)
	if err != nil {
		o.end, o.problem = time.Now(), "transport: "+err.Error()
		return nil, o
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	o.end, o.status, o.retryAfter = time.Now(), resp.StatusCode, resp.Header.Get("Retry-After")
	switch {
	case err != nil:
		o.problem = "read body: " + err.Error()
	case o.status == http.StatusServiceUnavailable && o.retryAfter == "":
		o.problem = "503 without Retry-After: " + string(b)
	case o.status != http.StatusOK && o.status != http.StatusServiceUnavailable && (method != http.MethodGet || !redirect(o.status)):
		o.problem = fmt.Sprintf("status %d (want 200 or 503): %.300s", o.status, b)
	}
	if o.end.Sub(o.start) > chaosLatencyBound {
		o.problem = strings.TrimPrefix(o.problem+fmt.Sprintf("; %d took %v, more than %v", o.status, o.end.Sub(o.start), chaosLatencyBound), "; ")
	}
	return &answer{Response: resp, body: b}, o
}

func (h *chaos) record(o outcome) {
	h.mu.Lock()
	h.outcomes = append(h.outcomes, o)
	h.mu.Unlock()
}

func (h *chaos) mark(what string) {
	h.mu.Lock()
	if n := len(h.backs); n > 0 && h.backs[n-1].before.IsZero() {
		h.backs[n-1].before = time.Now()
	}
	h.marks = append(h.marks, fmt.Sprintf("%6.2fs %s", time.Since(h.began).Seconds(), what))
	h.mu.Unlock()
}

// back notes that Redis is back and waits until every kind of request has
// been answered again since the last 503 (at most chaosRecovery plus a
// margin to observe a failure), then one more second of steady load.
func (h *chaos) back(what string) {
	at := time.Now()
	h.mark(what + ": Redis back")
	h.mu.Lock()
	// mark closes the previous window; this one stays open until the next.
	h.backs = append(h.backs, backMark{name: what, at: at})
	h.mu.Unlock()
	deadline := at.Add(chaosRecovery + 2*time.Second)
	for time.Now().Before(deadline) && !h.allAnswered(at) {
		time.Sleep(50 * time.Millisecond)
	}
	h.steady(time.Second)
}

// allAnswered reports whether every kind was answered by a request that
// started after t and after the end of the last 503.
func (h *chaos) allAnswered(t time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, o := range h.outcomes {
		if o.status == http.StatusServiceUnavailable && o.end.After(t) {
			t = o.end
		}
	}
	kinds, ok := map[string]bool{}, map[string]bool{}
	for _, o := range h.outcomes {
		kinds[o.kind] = true
		if answered(o.status) && o.start.After(t) {
			ok[o.kind] = true
		}
	}
	return len(kinds) > 0 && len(ok) == len(kinds)
}

func (h *chaos) steady(d time.Duration) { time.Sleep(d) }

func (h *chaos) stopLoad() {
	select {
	case <-h.stop:
	default:
		close(h.stop)
	}
	h.wg.Wait()
}

// finish stops the load, checks and reports what it saw, and returns it
// by kind. A client of the configuration file needs no store: its
// client_credentials must never have been refused.
func (h *chaos) finish() map[string]*kindStats {
	t := h.t
	h.stopLoad()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.marks {
		t.Log(m)
	}
	byKind := map[string]*kindStats{}
	problems := 0
	var slowest time.Duration
	for _, o := range h.outcomes {
		s := byKind[o.kind]
		if s == nil {
			s = &kindStats{}
			byKind[o.kind] = s
		}
		s.n++
		switch {
		case answered(o.status):
			s.ok++
		case o.status == http.StatusServiceUnavailable:
			s.unavailable++
		}
		took := o.end.Sub(o.start)
		s.max = max(s.max, took)
		slowest = max(slowest, took)
		if o.problem != "" {
			if problems++; problems <= 20 {
				t.Errorf("%s at %.2fs: %s", o.kind, o.start.Sub(h.began).Seconds(), o.problem)
			}
		}
	}
	if problems > 20 {
		t.Errorf("… %d wrong answers in all", problems)
	}
	kinds := slices.Sorted(maps.Keys(byKind))
	for _, k := range kinds {
		s := byKind[k]
		t.Logf("%-32s %5d requests: %5d answered, %4d × 503, slowest %v", k, s.n, s.ok, s.unavailable, s.max.Round(time.Millisecond))
		if s.ok == 0 {
			t.Errorf("%s: never answered", k)
		}
	}
	if s := byKind["client_credentials "+bt.ServiceID]; s == nil || s.unavailable > 0 {
		t.Errorf("client_credentials of a configured client was refused during the outage: %+v", s)
	}
	t.Logf("slowest answer %v (bound %v)", slowest.Round(time.Millisecond), chaosLatencyBound)
	for _, b := range h.backs {
		// Recovery: from Redis back to the end of the last 503; every kind
		// must have been answered 200 after that.
		var last time.Time
		for _, o := range h.outcomes {
			if !b.before.IsZero() && o.start.After(b.before) {
				continue
			}
			if o.status == http.StatusServiceUnavailable && o.end.After(b.at) && o.end.After(last) {
				last = o.end
			}
		}
		rec := max(last.Sub(b.at), 0)
		t.Logf("recovery after %s: %v (bound %v)", b.name, rec.Round(time.Millisecond), chaosRecovery)
		if rec > chaosRecovery {
			t.Errorf("after %s the broker answered 503 for %v, more than %v", b.name, rec, chaosRecovery)
		}
		for _, k := range kinds {
			if !slices.ContainsFunc(h.outcomes, func(o outcome) bool {
				return o.kind == k && answered(o.status) && o.start.After(b.at) && !o.start.Before(last)
			}) {
				t.Errorf("after %s, %s was never answered 200 again", b.name, k)
			}
		}
	}
	return byKind
}

// durable is what must survive a Redis failure.
type durable struct {
	keySet  []byte
	version int64
	audit   []string
}

// snapshot reads what checkDurable compares after the failure.
func (h *chaos) snapshot() durable {
	h.t.Helper()
	ctx := context.Background()
	var d durable
	var err error
	if d.keySet, d.version, err = h.b.Store.GetKeySet(ctx); err != nil {
		h.t.Fatalf("snapshot: key set: %v", err)
	}
	d.audit = h.auditIDs(ctx)
	if len(d.audit) == 0 {
		h.t.Fatal("snapshot: no audit events, the admin API should have recorded some")
	}
	return d
}

func (h *chaos) auditIDs(ctx context.Context) []string {
	h.t.Helper()
	recs, err := h.b.Store.ReadAudit(ctx, time.Time{}, "", time.Now().Add(time.Hour), 100000)
	if err != nil {
		h.t.Fatalf("audit: %v", err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

// checkDurable checks, once Redis is back, that nothing written before the
// failure was lost: the stored client (it still authenticates), the unit,
// the person, the link, every audit event, the signing keys, and the
// tokens issued before the load (the access token is still active; the
// refresh families of the load are checked by the load itself, which
// fails on any answer but 200 or 503).
func (h *chaos) checkDurable(before durable) {
	t := h.t
	t.Helper()
	ctx := context.Background()
	if c, err := h.b.Store.GetClient(ctx, chaosClientID); err != nil || c.SecretHash == "" {
		t.Errorf("stored client %s after the failure: %v, %v", chaosClientID, c, err)
	}
	if _, err := h.b.Store.GetUnit(ctx, h.unitID); err != nil {
		t.Errorf("unit %s after the failure: %v", h.unitID, err)
	}
	if _, err := h.b.Store.GetPerson(ctx, h.personID); err != nil {
		t.Errorf("person %s after the failure: %v", h.personID, err)
	}
	if l, err := h.b.Store.GetLink(ctx, "alipay", chaosLinkSubject); err != nil || l.PersonID != h.personID {
		t.Errorf("link after the failure: %v, %v", l, err)
	}
	if ks, v, err := h.b.Store.GetKeySet(ctx); err != nil || v < before.version || (v == before.version && string(ks) != string(before.keySet)) {
		t.Errorf("signing key set after the failure: version %d (was %d), %v", v, before.version, err)
	}
	after := h.auditIDs(ctx)
	for _, id := range before.audit {
		if !slices.Contains(after, id) {
			t.Errorf("audit event %s lost", id)
		}
	}
	got, err := bt.Introspect(h.b.URL, bt.ClientID, bt.ClientSecret, h.idle.AccessToken)
	if err != nil || got["active"] != true {
		t.Errorf("access token issued before the failure: introspection %v, %v; want active", got, err)
	}
	// The refresh token issued before the load still refreshes.
	tok, err := bt.NewRP(t, h.b.URL).OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: h.idleRefresh}).Token()
	if err != nil {
		t.Errorf("refresh token issued before the failure: %v", err)
		return
	}
	h.idleRefresh = tok.RefreshToken
}
