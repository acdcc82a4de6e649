package brokertest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/gjjid/gjjid/connectors"
)

// FakeUpstreamType is the connector type of FakeUpstream.
const FakeUpstreamType = "fake-upstream"

// FakeUpstream is a redirect login for tests of what the broker does with
// upstream identities (link policies, self-binding, the callback's state
// checks), independent of any real upstream's protocol. Its server signs
// the browser in at once as the subject the test chose with As.
type FakeUpstream struct {
	Server  *httptest.Server
	mu      sync.Mutex
	subject string
}

// NewFakeUpstream starts the upstream server until the test ends.
func NewFakeUpstream(t testing.TB) *FakeUpstream {
	f := &FakeUpstream{subject: "upstream-user-1"}
	f.Server = httptest.NewServer(http.HandlerFunc(f.authorize))
	t.Cleanup(f.Server.Close)
	return f
}

// As makes the next logins come back as subject ("error" fails them).
func (f *FakeUpstream) As(subject string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subject = subject
}

func (f *FakeUpstream) authorize(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	sub := f.subject
	f.mu.Unlock()
	back, err := url.Parse(r.URL.Query().Get("redirect_uri"))
	if err != nil || back.Host == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	q := back.Query()
	q.Set("state", r.URL.Query().Get("state"))
	q.Set("code", sub)
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// Registry is the test registry entry: the connector's config is
// {link_policy: auto|bound|self-bind}.
func (f *FakeUpstream) Registry() connectors.Registry {
	return connectors.Registry{FakeUpstreamType: func(spec connectors.Spec, _ connectors.Deps) (connectors.Connector, error) {
		var cfg struct {
			LinkPolicy string `yaml:"link_policy"`
		}
		if err := spec.Config.Decode(&cfg); err != nil {
			return nil, err
		}
		p, err := connectors.ParseLinkPolicy(cfg.LinkPolicy, connectors.LinkSelfBind)
		if err != nil {
			return nil, errors.New(spec.Path + ".link_policy: " + err.Error())
		}
		return &fakeConnector{id: spec.ID, name: spec.Name, policy: p, base: f.Server.URL}, nil
	}}
}

type fakeConnector struct {
	id, name, base string
	policy         connectors.LinkPolicy
}

func (c *fakeConnector) ID() string                { return c.id }
func (c *fakeConnector) Type() string              { return FakeUpstreamType }
func (c *fakeConnector) DisplayName(string) string { return c.name }

func (c *fakeConnector) LoginURL(_ context.Context, state, callbackURL string) (string, error) {
	return c.base + "/authorize?" + url.Values{"state": {state}, "redirect_uri": {callbackURL}}.Encode(), nil
}

func (c *fakeConnector) HandleCallback(_ context.Context, r *http.Request) (connectors.Identity, error) {
	code := r.URL.Query().Get("code")
	if code == "error" || code == "" {
		return connectors.Identity{}, &connectors.LoginError{Code: "upstream_denied",
			Message: map[string]string{"zh-CN": "外部登录被拒绝", "en": "The upstream refused the sign-in"}}
	}
	return connectors.Identity{ConnectorID: c.id, Subject: code, Kind: connectors.KindPerson, Name: "测试用户",
		AMR: []string{"fake"}, ACR: "gjj:loa:1", LinkPolicy: c.policy}, nil
}
