package logout

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
)

type testKeys struct {
	ec  *ecdsa.PrivateKey
	rsa *rsa.PrivateKey
}

func newTestKeys(t *testing.T) testKeys {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return testKeys{ec, rk}
}

func (k testKeys) SigningKey() (string, jose.SignatureAlgorithm, any) { return "ec1", jose.ES256, k.ec }
func (k testKeys) SigningKeyFor(alg jose.SignatureAlgorithm) (string, any) {
	if alg == jose.RS256 {
		return "rsa1", k.rsa
	}
	return "ec1", k.ec
}

type testClients map[string]*store.Client

func (c testClients) Client(_ context.Context, id string) (*store.Client, error) {
	if cl, ok := c[id]; ok {
		return cl, nil
	}
	return nil, store.ErrNotFound
}

type recorder struct {
	mu     sync.Mutex
	events []audit.Event
}

func (r *recorder) Record(_ context.Context, e audit.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func newService(t *testing.T, clients testClients, retryFor time.Duration) (*Service, *memory.Store, *recorder) {
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	rec := &recorder{}
	return New(Options{Store: st, Clients: clients, Keys: newTestKeys(t), Issuer: "https://sso.example.cn",
		LoggedOutURL: "https://sso.example.cn/logged-out", RetryFor: retryFor, Audit: rec, Logger: slog.New(slog.DiscardHandler)}), st, rec
}

func TestSID(t *testing.T) {
	t.Parallel()
	a, b := SID("3f2a9c"), SID("3f2a9d")
	if a == "" || a != SID("3f2a9c") || a == b || strings.Contains(a, "3f2a9c") {
		t.Fatalf("SID: %q, %q: want stable, distinct values that do not show the session ID", a, b)
	}
	if SID("") != "" {
		t.Fatal("a login without a session has no sid")
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	s, _, _ := newService(t, nil, 24*time.Hour)
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{{1, 5 * time.Second}, {2, 10 * time.Second}, {3, 20 * time.Second}, {10, 2560 * time.Second}, {11, time.Hour}, {40, time.Hour}} {
		if got := s.backoff(tc.attempt); got != tc.want {
			t.Errorf("backoff after attempt %d = %v, want %v", tc.attempt, got, tc.want)
		}
	}
	short, _, _ := newService(t, nil, 2*time.Second)
	if got := short.backoff(1); got != 100*time.Millisecond {
		t.Errorf("first retry with a 2s window = %v, want 100ms", got)
	}
}

// TestLogoutToken: the claims of Back-Channel Logout §2.4, typ
// logout+jwt, signed with the key of the client's ID token algorithm.
func TestLogoutToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		alg     string
		wantAlg jose.SignatureAlgorithm
		kid     string
	}{{"", jose.ES256, "ec1"}, {"RS256", jose.RS256, "rsa1"}, {"ES256", jose.ES256, "ec1"}} {
		t.Run(string(tc.wantAlg)+"/"+tc.alg, func(t *testing.T) {
			t.Parallel()
			s, _, _ := newService(t, nil, time.Hour)
			keys := s.o.Keys.(testKeys)
			now := time.Unix(1_800_000_000, 0)
			d := &store.LogoutDelivery{ID: "jti-1", ClientID: "dk", Subject: "p_1", SID: "sid-1"}
			raw, err := s.token(d, &store.Client{ID: "dk", IDTokenSignedResponseAlg: tc.alg}, now)
			if err != nil {
				t.Fatal(err)
			}
			jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
			if err != nil {
				t.Fatal(err)
			}
			h := jws.Signatures[0].Protected
			if h.Algorithm != string(tc.wantAlg) || h.KeyID != tc.kid || h.ExtraHeaders["typ"] != TokenType {
				t.Fatalf("header alg %s kid %s typ %v", h.Algorithm, h.KeyID, h.ExtraHeaders["typ"])
			}
			var pub any = &keys.ec.PublicKey
			if tc.wantAlg == jose.RS256 {
				pub = &keys.rsa.PublicKey
			}
			payload, err := jws.Verify(pub)
			if err != nil {
				t.Fatalf("signature: %v", err)
			}
			var c map[string]any
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"iss": "https://sso.example.cn", "sub": "p_1", "sid": "sid-1", "jti": "jti-1",
				"iat": float64(now.Unix()), "exp": float64(now.Add(tokenLifetime).Unix())}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("%s = %v, want %v", k, c[k], v)
				}
			}
			if aud, _ := c["aud"].([]any); len(aud) != 1 || aud[0] != "dk" {
				t.Errorf("aud = %v, want [dk]", c["aud"])
			}
			if ev, _ := c["events"].(map[string]any); len(ev) != 1 || ev[EventBackchannelLogout] == nil {
				t.Errorf("events = %v", c["events"])
			}
			if _, ok := c["nonce"]; ok {
				t.Error("a logout token must not carry a nonce (§2.4)")
			}
		})
	}
}

// TestEndSessionOncePerClient: the clients of a session are told once
// each, back-channel through the queue, front-channel as frames; clients
// without logout URIs are not even recorded.
func TestEndSessionOncePerClient(t *testing.T) {
	t.Parallel()
	clients := testClients{
		"bc":    {ID: "bc", BackchannelLogoutURI: "https://bc.example.cn/bcl"},
		"fc":    {ID: "fc", FrontchannelLogoutURI: "https://fc.example.cn/fcl?a=1", FrontchannelLogoutSessionRequired: true},
		"plain": {ID: "plain"},
	}
	s, st, rec := newService(t, clients, time.Hour)
	ctx := t.Context()
	for _, p := range []store.LogoutParticipant{
		{SessionID: "s1", Subject: "p_1", UnitID: "u1", ClientID: "bc"},
		{SessionID: "s1", Subject: "p_1", UnitID: "u2", ClientID: "bc"}, // the same session for another unit
		{SessionID: "s1", Subject: "p_1", ClientID: "fc"},
		{SessionID: "s1", Subject: "p_1", ClientID: "plain"},
	} {
		s.Participated(ctx, p)
	}
	if got, _ := st.TakeSubjectParticipants(ctx, "nobody", ""); len(got) != 0 {
		t.Fatal("unexpected participants")
	}
	frames, err := s.EndSession(ctx, "s1", ReasonEndSession)
	if err != nil {
		t.Fatal(err)
	}
	wantFrame := "https://fc.example.cn/fcl?a=1&iss=https%3A%2F%2Fsso.example.cn&sid=" + SID("s1")
	if len(frames) != 1 || frames[0] != wantFrame {
		t.Fatalf("frames %v, want [%s]", frames, wantFrame)
	}
	if n, _ := st.PendingLogouts(ctx); n != 1 {
		t.Fatalf("%d deliveries queued, want 1 (client bc, once)", n)
	}
	ds, _ := st.ClaimLogouts(ctx, time.Now(), time.Minute, 10)
	if len(ds) != 1 || ds[0].ClientID != "bc" || ds[0].SID != SID("s1") || ds[0].Subject != "p_1" || ds[0].Reason != ReasonEndSession {
		t.Fatalf("queued %+v", ds)
	}
	if frames, _ := s.EndSession(ctx, "s1", ReasonEndSession); len(frames) != 0 {
		t.Fatal("a session ended twice framed again")
	}
	if n, _ := st.PendingLogouts(ctx); n != 1 {
		t.Fatalf("%d deliveries after ending the session twice, want still 1", n)
	}
	if len(rec.events) != 1 || rec.events[0].Type != audit.BackchannelLogout || rec.events[0].Client != "bc" {
		t.Fatalf("audit %+v, want one queued back-channel logout", rec.events)
	}
}

// TestWorkerRetriesThenDrops: an RP that keeps failing is retried with
// backoff until the retry window closes, then dropped, counted and audited.
func TestWorkerRetriesThenDrops(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var times []time.Time
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(rp.Close)
	s, st, rec := newService(t, testClients{"bc": {ID: "bc", BackchannelLogoutURI: rp.URL}}, 3*time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	s.Participated(ctx, store.LogoutParticipant{SessionID: "s1", Subject: "p_1", ClientID: "bc"})
	if _, err := s.EndSession(ctx, "s1", ReasonEndSession); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for metric(t, s, `gjjid_backchannel_logout_total{result="dropped"}`) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("never dropped")
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	n := len(times)
	gaps := make([]time.Duration, 0, n)
	for i := 1; i < n; i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	mu.Unlock()
	// 3s window: retries after 100ms, 200ms, then at most 375ms (plus
	// up to one 100ms poll each).
	if n < 5 {
		t.Fatalf("%d attempts in a 3s window, want several", n)
	}
	if gaps[2] <= gaps[0] || gaps[0] < 100*time.Millisecond {
		t.Errorf("retry gaps %v do not back off", gaps)
	}
	for _, g := range gaps {
		if g > 600*time.Millisecond {
			t.Errorf("retry gaps %v exceed the longest wait", gaps)
		}
	}
	if got := metric(t, s, `gjjid_backchannel_logout_total{result="failed"}`); int(got) != n-1 {
		t.Errorf("failed = %v, want %d (every attempt but the last)", got, n-1)
	}
	if got := metric(t, s, `gjjid_backchannel_logout_total{result="sent"}`); got != 0 {
		t.Errorf("sent = %v", got)
	}
	if p, _ := st.PendingLogouts(ctx); p != 0 {
		t.Errorf("%d still pending after the drop", p)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	last := rec.events[len(rec.events)-1]
	if last.Action != "logout.deliver" || last.Outcome != audit.Failure {
		t.Errorf("last audit event %+v, want a failed delivery", last)
	}
}

// metric reads one sample of the service's metrics as /metrics shows it.
func metric(t *testing.T, s *Service, name string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.Collectors()...)
	w := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no %s in\n%s", name, w.Body.String())
	return 0
}

// TestEndSubject: a subject-wide end sends a client that did not ask for
// sid one token naming the subject alone, and one that did one token per
// session; an end for one unit stays per session.
func TestEndSubject(t *testing.T) {
	t.Parallel()
	clients := testClients{
		"sub-only": {ID: "sub-only", BackchannelLogoutURI: "https://a.example.cn/bcl"},
		"with-sid": {ID: "with-sid", BackchannelLogoutURI: "https://b.example.cn/bcl", BackchannelLogoutSessionRequired: true},
	}
	s, st, _ := newService(t, clients, time.Hour)
	ctx := t.Context()
	add := func() {
		for _, sess := range []string{"s1", "s2"} {
			for c := range clients {
				s.Participated(ctx, store.LogoutParticipant{SessionID: sess, Subject: "p_1", UnitID: "u1", ClientID: c})
			}
		}
	}
	claimAll := func() map[string][]string {
		ds, err := st.ClaimLogouts(ctx, time.Now().Add(time.Hour), time.Hour, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, d := range ds {
			got[d.ClientID] = append(got[d.ClientID], d.SID)
			if d.Subject != "p_1" {
				t.Errorf("delivery %+v lacks the subject", d)
			}
		}
		sortAll(got)
		return got
	}
	add()
	if err := s.EndSubject(ctx, "p_1", "", ReasonAdminRevoke); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"sub-only": {""}, "with-sid": {SID("s1"), SID("s2")}}
	sortAll(want)
	if got := claimAll(); !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("whole subject: deliveries %v, want %v", got, want)
	}
	add()
	if err := s.EndSubject(ctx, "p_1", "u1", ReasonAgentDisabled); err != nil {
		t.Fatal(err)
	}
	want = map[string][]string{"sub-only": {SID("s1"), SID("s2")}, "with-sid": {SID("s1"), SID("s2")}}
	sortAll(want)
	if got := claimAll(); !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("one unit: deliveries %v, want %v", got, want)
	}
}

func sortAll(m map[string][]string) {
	for _, v := range m {
		slices.Sort(v)
	}
}
