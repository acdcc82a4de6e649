package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/connectors/connectorstest"
)

const (
	testIssuer = "http://op.test"
	testSecret = "s3cret-of-the-service"
)

// switchableLookup serves one client, or fails as an unreachable store
// does while down is set.
type switchableLookup struct {
	down atomic.Bool
	c    store.Client
}

func (l *switchableLookup) GetClient(_ context.Context, id string) (*store.Client, error) {
	if l.down.Load() {
		return nil, fmt.Errorf("look up client %q: %w", id, store.ErrUnavailable)
	}
	if id != l.c.ID {
		return nil, fmt.Errorf("client %q: %w", id, store.ErrNotFound)
	}
	c := l.c
	return &c, nil
}

// testKeys is one ES256 key, in memory.
type testKeys struct{ key *ecdsa.PrivateKey }

func (k testKeys) SigningKey() (string, jose.SignatureAlgorithm, any)  { return "k1", jose.ES256, k.key }
func (k testKeys) SigningKeyFor(jose.SignatureAlgorithm) (string, any) { return "", nil }
func (k testKeys) PublicKeys() []PublicKey {
	return []PublicKey{{KID: "k1", Alg: jose.ES256, Key: &k.key.PublicKey}}
}
func (k testKeys) JWKS() []byte   { return []byte(`{"keys":[]}`) }
func (k testKeys) Version() int64 { return 1 }

// outageLogin is a login that shows errors as text and knows every
// browser.
type outageLogin struct{ noLogin }

func (outageLogin) URL(id string) string { return testIssuer + "/login?id=" + id }
func (outageLogin) Browser(http.ResponseWriter, *http.Request) Browser {
	return Browser{ID: "browser"}
}
func (outageLogin) ErrorPage(w http.ResponseWriter, _ *http.Request, status int, code string) {
	http.Error(w, code, status)
}

// newOutageProvider builds a provider over a memory store whose only
// client comes from lookup.
func newOutageProvider(t *testing.T, lookup *switchableLookup, clk *connectorstest.Clock) *Provider {
	t.Helper()
	return newProviderOver(t, memory.New(), lookup, clk)
}

// newProviderOver builds a provider over st whose only client comes from
// lookup, with the clock clk.
func newProviderOver(t *testing.T, st store.Store, lookup *switchableLookup, clk *connectorstest.Clock) *Provider {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cache := &ClientCache{lookup: lookup, ttl: DefaultClientCacheTTL, now: clk.Now, entries: map[string]cachedClient{}}
	p, err := New(st, testKeys{key}, nil, Options{
		Issuer: testIssuer, AllowInsecure: true, Clients: cache, Now: clk.Now, Login: outageLogin{},
		AccessTokenLifetime: time.Minute, IDTokenLifetime: time.Minute, RefreshTokenLifetime: time.Hour,
		CodeLifetime: time.Minute, AuthRequestLifetime: time.Minute,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func serviceClient() store.Client {
	return store.Client{ID: "svc", Name: "批量接口", SecretHash: secrets.Hash(testSecret), AuthMethod: "client_secret_basic",
		ApplicationType: "web", GrantTypes: []string{"client_credentials", "refresh_token", "authorization_code"},
		RedirectURIs: []string{"https://rp.test/cb"}}
}

// form posts values to path, with HTTP Basic client authentication when
// basic is set.
func form(path string, values url.Values, basic bool) *http.Request {
	if !basic {
		values.Set("client_id", "svc")
		values.Set("client_secret", testSecret)
	}
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(values.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		r.SetBasicAuth("svc", testSecret)
	}
	return r
}

// TestStoreOutageIsNeverAnAuthenticationError: when the client cannot be
// loaded because the store is unreachable, every endpoint that
// authenticates a client or looks one up answers 503
// temporarily_unavailable with Retry-After and no challenge — never 401
// invalid_client, which would tell a correct client its secret is wrong.
func TestStoreOutageIsNeverAnAuthenticationError(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		req  func() *http.Request
	}{
		{"client_credentials, Basic", func() *http.Request {
			return form("/oauth/token", url.Values{"grant_type": {"client_credentials"}}, true)
		}},
		{"client_credentials, post", func() *http.Request {
			return form("/oauth/token", url.Values{"grant_type": {"client_credentials"}}, false)
		}},
		{"refresh_token", func() *http.Request {
			return form("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {newRefreshMAC([32]byte{}).mint("fam", 1)}}, true)
		}},
		{"token exchange", func() *http.Request {
			return form("/oauth/token", url.Values{"grant_type": {GrantTypeTokenExchange}, "subject_token": {"t"},
				"subject_token_type": {"urn:example:code"}}, true)
		}},
		{"introspection", func() *http.Request {
			return form("/oauth/introspect", url.Values{"token": {"x.y.z"}}, true)
		}},
		{"revocation", func() *http.Request {
			return form("/revoke", url.Values{"token": {newRefreshMAC([32]byte{}).mint("fam", 1)}}, true)
		}},
		{"authorize", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/authorize?"+url.Values{"client_id": {"svc"}, "response_type": {"code"},
				"scope": {"openid"}, "redirect_uri": {"https://rp.test/cb"}, "state": {"s"},
				"code_challenge": {strings.Repeat("c", 43)}, "code_challenge_method": {"S256"}}.Encode(), nil)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lookup := &switchableLookup{c: serviceClient()}
			lookup.down.Store(true)
			p := newOutageProvider(t, lookup, connectorstest.NewClock(time.Now()))
			w := httptest.NewRecorder()
			p.ServeHTTP(w, tt.req())
			wantUnavailable(t, w)
		})
	}
}

func wantUnavailable(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	body, _ := io.ReadAll(w.Body)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503 (%s)", w.Code, body)
	}
	var e struct{ Error string }
	if err := json.Unmarshal(body, &e); err != nil || e.Error != "temporarily_unavailable" {
		t.Fatalf("body %s, want error temporarily_unavailable", body)
	}
	if w.Header().Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	if h := w.Header().Get("WWW-Authenticate"); h != "" {
		t.Fatalf("503 carries the challenge %q: it would read as bad credentials", h)
	}
	if h := w.Header().Get("Location"); h != "" {
		t.Fatalf("503 redirects to %q", h)
	}
}

// TestClientCredentialsFromCacheDuringOutage: a client read before the
// store went away is served from memory until its cache entry expires
// (the security limit the README states), then the grant answers 503; a
// wrong secret stays 401 throughout.
func TestClientCredentialsFromCacheDuringOutage(t *testing.T) {
	t.Parallel()
	lookup := &switchableLookup{c: serviceClient()}
	clk := connectorstest.NewClock(time.Now())
	p := newOutageProvider(t, lookup, clk)
	grant := func(secret string) *httptest.ResponseRecorder {
		r := form("/oauth/token", url.Values{"grant_type": {"client_credentials"}}, true)
		r.SetBasicAuth("svc", secret)
		w := httptest.NewRecorder()
		p.ServeHTTP(w, r)
		return w
	}
	if w := grant(testSecret); w.Code != http.StatusOK {
		t.Fatalf("before the outage: %d %s", w.Code, w.Body)
	}
	lookup.down.Store(true)
	if w := grant(testSecret); w.Code != http.StatusOK {
		t.Fatalf("during the outage, client cached: %d %s, want 200 from the cache", w.Code, w.Body)
	}
	if w := grant("wrong"); w.Code != http.StatusUnauthorized {
		t.Fatalf("during the outage, wrong secret: %d %s, want 401", w.Code, w.Body)
	}
	clk.Advance(6 * time.Second) // past the default 5 s TTL
	wantUnavailable(t, grant(testSecret))
	wantUnavailable(t, grant("wrong")) // unknown until the store answers
	lookup.down.Store(false)
	if w := grant(testSecret); w.Code != http.StatusOK {
		t.Fatalf("after the outage: %d %s", w.Code, w.Body)
	}
}
