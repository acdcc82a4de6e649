package appscan

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
)

// fakeServices is the broker's side in memory: QR sessions with the
// store's compare-and-set rules, counters, values, a token table, client
// names and persons.
type fakeServices struct {
	mu       sync.Mutex
	sessions map[string]connectors.QRSession
	counters map[string]int64
	values   map[string][]byte
	tokens   map[string]connectors.AccessToken
	clients  map[string]string
	people   map[string]connectors.Account
	watchers map[string][]func()
	audited  []connectors.AuditEvent
}

func (f *fakeServices) Audit(_ context.Context, e connectors.AuditEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.audited = append(f.audited, e)
	return nil
}

// auditTrail is what was audited so far.
func (f *fakeServices) auditTrail() []connectors.AuditEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.audited)
}

func newFakeServices() *fakeServices {
	return &fakeServices{sessions: map[string]connectors.QRSession{}, counters: map[string]int64{}, values: map[string][]byte{},
		tokens: map[string]connectors.AccessToken{}, clients: map[string]string{"portal": "网上办事大厅"},
		people: map[string]connectors.Account{
			"p_alice": {PersonID: "p_alice", Name: "张三"},
			"p_bob":   {PersonID: "p_bob", Name: "李四"},
			"p_gone":  {PersonID: "p_gone", Name: "王五", Disabled: true},
		}, watchers: map[string][]func(){}}
}

func (f *fakeServices) CreateQR(_ context.Context, s *connectors.QRSession, _ time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.sessions[s.ID]; ok {
		return connectors.ErrConflict
	}
	f.sessions[s.ID] = *s
	return nil
}

func (f *fakeServices) GetQR(_ context.Context, id string) (*connectors.QRSession, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[id]
	if !ok {
		return nil, connectors.ErrNotFound
	}
	return &s, nil
}

func (f *fakeServices) PollQR(_ context.Context, id, pollHash string) (*connectors.QRSession, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[id]
	if !ok {
		return nil, connectors.ErrNotFound
	}
	if s.PollHash != pollHash {
		return nil, connectors.ErrConflict
	}
	s.Polls++
	f.sessions[id] = s
	return &s, nil
}

func (f *fakeServices) UpdateQR(_ context.Context, id string, u connectors.QRUpdate) (*connectors.QRSession, error) {
	f.mu.Lock()
	s, ok := f.sessions[id]
	if !ok {
		f.mu.Unlock()
		return nil, connectors.ErrNotFound
	}
	if !slices.Contains(u.From, stateAt(&s, time.Now())) || (u.AppSession != "" && s.AppSession != "" && s.AppSession != u.AppSession) ||
		(u.PollHash != "" && u.PollHash != s.PollHash) || (u.TicketHash != "" && u.TicketHash != s.TicketHash) {
		f.mu.Unlock()
		return &s, connectors.ErrConflict
	}
	if u.To != "" {
		s.State = u.To
	}
	if s.AppSession == "" {
		s.AppSession = u.AppSession
	}
	if u.NewTicketHash != "" {
		s.TicketHash = u.NewTicketHash
	}
	if u.AppData != nil {
		s.AppData = u.AppData
	}
	f.sessions[id] = s
	wakes := slices.Clone(f.watchers[id])
	f.mu.Unlock()
	if u.To != "" {
		for _, w := range wakes {
			w()
		}
	}
	return &s, nil
}

func (f *fakeServices) AddQRToAuthRequest(_ context.Context, id string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counters["ar:"+id]++
	return f.counters["ar:"+id], nil
}

func (f *fakeServices) WatchQR(id string, wake func()) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watchers[id] = append(f.watchers[id], wake)
	return func() {}
}

func (f *fakeServices) Incr(_ context.Context, key string, _ time.Duration) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counters[key]++
	return f.counters[key], nil
}

func (f *fakeServices) SetValue(_ context.Context, key string, v []byte, _ time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[key] = v
	return nil
}

func (f *fakeServices) AddValue(_ context.Context, key string, v []byte, _ time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.values[key]; ok {
		return connectors.ErrConflict
	}
	f.values[key] = v
	return nil
}

func (f *fakeServices) GetValue(_ context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.values[key]
	if !ok {
		return nil, connectors.ErrNotFound
	}
	return v, nil
}

func (f *fakeServices) DeleteValue(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.values, key)
	return nil
}

func (f *fakeServices) VerifyAccessToken(_ context.Context, raw string) (connectors.AccessToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tokens[raw]
	if !ok {
		return connectors.AccessToken{}, fmt.Errorf("fake: %w", connectors.ErrInvalidToken)
	}
	return t, nil
}

func (f *fakeServices) ClientName(_ context.Context, id string) (string, error) {
	if n, ok := f.clients[id]; ok {
		return n, nil
	}
	return "", connectors.ErrNotFound
}

func (f *fakeServices) Person(_ context.Context, id string) (connectors.Account, error) {
	if p, ok := f.people[id]; ok {
		return p, nil
	}
	return connectors.Account{}, connectors.ErrUnknownAccount
}

func (f *fakeServices) FindByLogin(ctx context.Context, login string) (connectors.Account, error) {
	return f.Person(ctx, login)
}

// token registers an access token of the app (client gjj-app) for person
// in grant and returns it.
func (f *fakeServices) token(raw, person, grant, acr string, amr ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[raw] = connectors.AccessToken{JTI: raw, Grant: grant, Subject: person, ClientID: "gjj-app", ACR: acr, AMR: amr}
	return raw
}

var testLevels = []string{"gjj:loa:1", "gjj:loa:2", "gjj:loa:3"}

// openTest opens a connector with YAML config src over fresh fake services.
func openTest(t *testing.T, src string) (*Connector, *fakeServices) {
	t.Helper()
	f := newFakeServices()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("app_clients: [gjj-app]\n"+src), &n); err != nil {
		t.Fatal(err)
	}
	c, err := Open(connectors.Spec{ID: "appscan", Type: Type, Config: *n.Content[0], Path: "connectors[0].config"},
		connectors.Deps{Broker: f, Secrets: connectors.Secrets{IDHashKey: []byte("0123456789abcdef0123456789abcdef")}},
		Options{ACRLevels: testLevels})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return c, f
}
