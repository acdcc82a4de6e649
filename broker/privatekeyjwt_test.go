package broker_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

const keyClientID = "pkjwt-rp"

// rpKeys is a relying party's key set served at a jwks_uri; rotate
// replaces it.
type rpKeys struct {
	mu      sync.Mutex
	keys    map[string]*ecdsa.PrivateKey
	fetches int
}

func newRPKeys(t *testing.T, kids ...string) (*rpKeys, *httptest.Server) {
	k := &rpKeys{}
	k.rotate(t, kids...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		k.mu.Lock()
		defer k.mu.Unlock()
		k.fetches++
		var set jose.JSONWebKeySet
		for kid, key := range k.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &key.PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"})
		}
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	return k, srv
}

func (k *rpKeys) rotate(t *testing.T, kids ...string) {
	keys := map[string]*ecdsa.PrivateKey{}
	for _, kid := range kids {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[kid] = key
	}
	k.mu.Lock()
	k.keys = keys
	k.mu.Unlock()
}

// assertion is a client assertion (RFC 7523 §3) signed with key kid of k
// (or with signer when given); edit changes the claims.
func (k *rpKeys) assertion(t *testing.T, kid, aud string, edit func(map[string]any)) string {
	t.Helper()
	k.mu.Lock()
	key := k.keys[kid]
	k.mu.Unlock()
	if key == nil { // a key the RP never published
		key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	now := time.Now()
	claims := map[string]any{"iss": keyClientID, "sub": keyClientID, "aud": aud, "jti": bt.NewProver(t).JKT,
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	if edit != nil {
		edit(claims)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// postAssertion posts form with the assertion to path.
func postAssertion(t *testing.T, b *bt.Broker, path string, form url.Values, assertion string) (int, map[string]any, http.Header) {
	t.Helper()
	form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	form.Set("client_assertion", assertion)
	return bt.PostForm(t, b.URL+path, form, "", "", nil)
}

// TestPrivateKeyJWT: a client authenticating with signed assertions
// (RFC 7523 §2.2) against its jwks_uri, at the token and introspection
// endpoints, for client_credentials and the code flow; every refusal is
// 401 invalid_client.
func TestPrivateKeyJWT(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		keys, jwks := newRPKeys(t, "k1")
		b := start(t, bt.Options{Edit: func(c *config.Config) {
			c.Clients = append(c.Clients, config.Client{ID: keyClientID, Name: "密钥认证业务系统", AuthMethod: "private_key_jwt", ApplicationType: "web",
				JWKSURI: jwks.URL, RedirectURIs: []string{bt.RedirectURI}, Scopes: []string{"gjj:api"},
				GrantTypes: []string{"authorization_code", "client_credentials"}})
		}})
		if d := bt.Discovery(t, b.URL); !strings.Contains(toJSON(d["token_endpoint_auth_methods_supported"]), "private_key_jwt") {
			t.Fatalf("discovery token_endpoint_auth_methods_supported = %v", d["token_endpoint_auth_methods_supported"])
		}
		tokenURL := b.URL + "/oauth/token"
		cc := func() url.Values { return url.Values{"grant_type": {"client_credentials"}, "scope": {"gjj:api"}} }

		first := keys.assertion(t, "k1", b.URL, nil)
		st, out, _ := postAssertion(t, b, "/oauth/token", cc(), first)
		if st != http.StatusOK || out["access_token"] == nil {
			t.Fatalf("client_credentials with an assertion for the issuer: %d %v", st, out)
		}
		at := out["access_token"].(string)
		if st, out, _ := postAssertion(t, b, "/oauth/token", cc(), keys.assertion(t, "k1", tokenURL, nil)); st != http.StatusOK {
			t.Fatalf("assertion for the token endpoint URL: %d %v", st, out)
		}
		in := url.Values{"token": {at}}
		if st, out, _ := postAssertion(t, b, "/oauth/introspect", in, keys.assertion(t, "k1", b.URL+"/oauth/introspect", nil)); st != http.StatusOK || out["active"] != true {
			t.Fatalf("introspection with an assertion: %d %v", st, out)
		}

		for _, tc := range []struct{ name, assertion string }{
			{"replayed", first},
			{"for another audience", keys.assertion(t, "k1", "https://other.example", nil)},
			{"for another endpoint", keys.assertion(t, "k1", b.URL+"/revoke", nil)},
			{"expired", keys.assertion(t, "k1", b.URL, func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })},
			{"without exp", keys.assertion(t, "k1", b.URL, func(c map[string]any) { delete(c, "exp") })},
			{"without jti", keys.assertion(t, "k1", b.URL, func(c map[string]any) { delete(c, "jti") })},
			{"iat in the future", keys.assertion(t, "k1", b.URL, func(c map[string]any) { c["iat"] = time.Now().Add(time.Minute).Unix() })},
			{"sub not the client", keys.assertion(t, "k1", b.URL, func(c map[string]any) { c["sub"] = "someone" })},
			{"HS256", hs256Assertion(b.URL)},
			{"not a JWT", "garbage"},
		} {
			st, out, h := postAssertion(t, b, "/oauth/token", cc(), tc.assertion)
			if st != http.StatusUnauthorized || out["error"] != "invalid_client" || h.Get("WWW-Authenticate") == "" {
				t.Errorf("assertion %s: %d %v, want 401 invalid_client with a challenge", tc.name, st, out)
			}
		}
		// A secret is no way in for a key client.
		req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(cc().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(keyClientID, "")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("key client with an empty secret: %v %v", resp, err)
		}

		// The RP rotates its keys: an assertion with the new kid makes the
		// broker fetch the jwks_uri again.
		keys.rotate(t, "k2")
		if st, out, _ := postAssertion(t, b, "/oauth/token", cc(), keys.assertion(t, "k2", b.URL, nil)); st != http.StatusOK {
			t.Fatalf("assertion with the rotated key: %d %v", st, out)
		}
		keys.mu.Lock()
		fetched := keys.fetches
		keys.mu.Unlock()
		// Made-up kids (keys never published) right after are refused and
		// do not make it fetch again.
		for range 3 {
			if st, out, _ := postAssertion(t, b, "/oauth/token", cc(), keys.assertion(t, "made-up", b.URL, nil)); st != http.StatusUnauthorized || out["error"] != "invalid_client" {
				t.Errorf("assertion signed with an unpublished key: %d %v", st, out)
			}
		}
		keys.mu.Lock()
		if keys.fetches != fetched {
			t.Errorf("made-up kids fetched the jwks_uri %d more times", keys.fetches-fetched)
		}
		keys.mu.Unlock()

		// The code flow: the code is redeemed with an assertion and the ID
		// token verified by go-oidc for this client.
		rp := bt.NewRP(t, b.URL)
		rp.OAuth2.ClientID, rp.OAuth2.ClientSecret = keyClientID, ""
		rp.OAuth2.Scopes = []string{oidc.ScopeOpenID}
		f, code := rp.PasswordCode(t, bt.NewBrowser(t), b.URL, bt.AgentIDNumber, bt.AgentPassword)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {bt.RedirectURI}, "code_verifier": {f.Verifier}}
		st, out, _ = postAssertion(t, b, "/oauth/token", form, keys.assertion(t, "k2", tokenURL, nil))
		if st != http.StatusOK {
			t.Fatalf("code exchange with an assertion: %d %v", st, out)
		}
		idt, err := rp.Provider.Verifier(&oidc.Config{ClientID: keyClientID}).Verify(context.Background(), out["id_token"].(string))
		if err != nil || idt.Nonce != f.Nonce {
			t.Fatalf("ID token: %v %v", idt, err)
		}
	})
}

func hs256Assertion(aud string) string {
	s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, nil)
	b, _ := json.Marshal(map[string]any{"iss": keyClientID, "sub": keyClientID, "aud": aud, "jti": "x", "exp": time.Now().Add(time.Minute).Unix()})
	jws, _ := s.Sign(b)
	out, _ := jws.CompactSerialize()
	return out
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
