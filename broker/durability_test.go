package broker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/audit"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// TestRedisFlushLosesNothingDurable: with PostgreSQL configured, Redis
// keeps only the hot state. Under steady load Redis loses everything
// (FLUSHALL on a private server); afterwards every client, unit, person,
// agent, link, staff role, owed back-channel logout, audit event and the
// signing key set is still there, users
// at most sign in again, and the broker answered only 200 or 503 meanwhile.
func TestRedisFlushLosesNothingDurable(t *testing.T) {
	addr, _ := privateRedis(t)
	dbURL := pgtest.Schema(t, pgtest.URL(t))
	b := bt.Start(t, bt.Options{RedisURL: "redis://" + addr + "/0", KeyPrefix: redistest.Prefix(t),
		Edit: func(c *config.Config) { c.Store.Database = config.Database{URL: dbURL}; c.ApplyDefaults() }})
	ctx := context.Background()

	// Durable records of every kind besides the seeded units, persons and
	// agents: an API client, a certificate binding, audit events (the
	// login writes its own too).
	now := time.Now().UTC().Truncate(time.Millisecond)
	must(t, b.Store.CreateClient(ctx, &store.Client{ID: "api-client", Name: "接口客户端", Source: store.SourceAdmin,
		AuthMethod: "client_secret_basic", GrantTypes: []string{"client_credentials"}, CreatedAt: now, UpdatedAt: now}))
	must(t, b.Store.AddLink(ctx, &store.Link{Connector: "x509", Subject: "sha256:" + strings.Repeat("ab", 32),
		Kind: store.LinkUnit, UnitID: bt.UnitID, Label: "CN=成都示例科技有限公司", CreatedBy: "client:admin", CreatedAt: now}))
	must(t, b.Audit.Record(ctx, audit.Event{Type: audit.AdminChange, Action: "links.create", Actor: "client:admin", Unit: bt.UnitID}))
	must(t, b.Store.GrantStaffRoles(ctx, "p-counter-staff", "gjjid:counter"))
	// A back-channel logout still owed to a relying party (due later, so
	// no worker sends it during the test).
	must(t, b.Store.EnqueueLogouts(ctx, []*store.LogoutDelivery{{ID: "owed-logout", ClientID: "api-client", Subject: "p-x",
		Reason: "end_session", CreatedAt: now, Deadline: now.Add(24 * time.Hour)}}, now.Add(time.Hour)))
	rp := bt.NewRP(t, b.URL)
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
	before := snapshot(t, b)

	// Steady load: service tokens and readiness, every answer recorded.
	stop := make(chan struct{})
	var mu sync.Mutex
	statuses := map[string]map[int]int{}
	var wg sync.WaitGroup
	for _, probe := range []struct {
		name string
		do   func() (*http.Response, error)
	}{
		{"token", func() (*http.Response, error) {
			return http.PostForm(b.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
				"client_id": {bt.ServiceID}, "client_secret": {bt.ServiceSecret}, "scope": {"gjj:api"}})
		}},
		{"readyz", func() (*http.Response, error) { return http.Get(b.URL + "/readyz") }},
	} {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := probe.do()
				if err != nil {
					t.Errorf("%s: %v", probe.name, err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				if statuses[probe.name] == nil {
					statuses[probe.name] = map[int]int{}
				}
				statuses[probe.name][resp.StatusCode]++
				mu.Unlock()
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	rc := goredis.NewClient(&goredis.Options{Addr: addr})
	defer rc.Close()
	if err := rc.FlushAll(ctx).Err(); err != nil {
		t.Fatalf("FLUSHALL: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	for name, byStatus := range statuses {
		for status, n := range byStatus {
			if status != http.StatusOK && status != http.StatusServiceUnavailable {
				t.Errorf("%s answered %d %d times during the flush (all: %v)", name, status, n, byStatus)
			}
		}
		if byStatus[http.StatusOK] == 0 {
			t.Errorf("%s never answered 200: %v", name, byStatus)
		}
	}

	after := snapshot(t, b)
	for _, k := range []string{"clients", "units", "persons", "agents", "links", "key set", "staff"} {
		if !bytes.Equal(before[k], after[k]) {
			t.Errorf("%s changed across the flush:\nbefore %s\nafter  %s", k, before[k], after[k])
		}
	}
	if !bytes.HasPrefix(after["audit"], bytes.TrimSuffix(before["audit"], []byte("]"))) {
		t.Errorf("audit events lost:\nbefore %s\nafter  %s", before["audit"], after["audit"])
	}
	for _, want := range []string{`"api-client"`, `"sha256:abab`, `login.success`, `links.create`, bt.UnitID, `"p-counter-staff"`} {
		if !bytes.Contains(bytes.Join([][]byte{after["clients"], after["links"], after["audit"], after["units"], after["staff"]}, nil), []byte(want)) {
			t.Errorf("%s is missing after the flush", want)
		}
	}

	if n, err := b.Store.PendingLogouts(ctx); err != nil || n < 1 {
		t.Errorf("the owed back-channel logout is gone after the flush: %d %v", n, err)
	}

	// The refresh token lived in Redis: signing in again is the price.
	resp, err := http.PostForm(b.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
		"client_id": {bt.ClientID}, "client_secret": {bt.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("refresh after the flush: %d, want 400 (sign in again)", resp.StatusCode)
	}
	login(t, b, rp, bt.NewBrowser(t))
}

// snapshot lists every durable aggregate as JSON.
func snapshot(t *testing.T, b *bt.Broker) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	st := b.Store
	out := map[string][]byte{}
	enc := func(k string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("snapshot %s: %v", k, err)
		}
		out[k], _ = json.Marshal(v)
	}
	clients, _, err := st.ListClients(ctx, "", 1000)
	enc("clients", clients, err)
	units, _, err := st.ListUnits(ctx, "", 1000)
	enc("units", units, err)
	persons, _, err := st.ListPersons(ctx, "", 1000)
	enc("persons", persons, err)
	staff, err := st.ListStaff(ctx)
	enc("staff", staff, err)
	var agents []*store.Agent
	for _, u := range units {
		a, _, err := st.AgentsOfUnit(ctx, u.ID, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, a...)
	}
	enc("agents", agents, nil)
	links, _, err := st.ListLinks(ctx, "", 1000)
	enc("links", links, err)
	recs, err := st.ReadAudit(ctx, time.Time{}, "", time.Time{}, 1000)
	events := make([]string, len(recs))
	for i, r := range recs {
		events[i] = r.ID + " " + string(r.Data)
	}
	enc("audit", events, err)
	data, version, err := st.GetKeySet(ctx)
	enc("key set", map[string]any{"v": version, "d": data}, err)
	if len(units) == 0 || len(persons) == 0 || len(agents) == 0 || len(recs) == 0 {
		t.Fatalf("snapshot is missing records: %d units, %d persons, %d agents, %d audit events", len(units), len(persons), len(agents), len(recs))
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
