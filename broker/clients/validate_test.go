package clients_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/store/memory"
)

// newService is a service over a fresh memory store with the connectors
// and lifetime bounds the validation table relies on.
func newService(t *testing.T) *clients.Service {
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	return clients.New(clients.NewOverlay(st, nil), clients.Options{Connectors: []string{"password", "x509"},
		MaxAccessTokenLifetime: time.Hour, MaxIDTokenLifetime: time.Hour, MaxRefreshTokenLifetime: 720 * time.Hour})
}

// tokenExchange is RFC 8693's grant, which the WeChat mini program's client holds.
const tokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

func webClient() clients.Metadata {
	return clients.Metadata{Name: "单位网上业务大厅", RedirectURIs: []string{"https://wt.example.cn/oidc/callback"}}
}

func nativeClient(uris ...string) clients.Metadata {
	return clients.Metadata{Name: "公积金单位客户端", ApplicationType: "native", RedirectURIs: uris}
}

func with(m clients.Metadata, edit func(*clients.Metadata)) clients.Metadata {
	edit(&m)
	return m
}

// TestValidation runs every rule both ways. A refused case names the one
// field it must be refused for (and the RFC 7591 error code); no other
// field may be blamed.
func TestValidation(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("公", 101)
	tests := []struct {
		name  string
		m     clients.Metadata
		by    clients.Caller
		field string // "" accepted
		code  string
	}{
		// redirect URIs
		{"web https", webClient(), clients.Registration, "", ""},
		{"web https with query and port", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"https://wt.example.cn:8443/cb?tenant=1"} }), clients.Registration, "", ""},
		{"web http refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"http://wt.example.cn/cb"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		// One rule for the file, the APIs and the console: http on loopback
		// is accepted for web clients too (it was refused here while the
		// configuration file accepted it).
		{"web http loopback accepted", with(webClient(), func(m *clients.Metadata) {
			m.RedirectURIs = []string{"https://ok.example.cn/cb", "http://127.0.0.1:5555/callback", "http://localhost/cb"}
		}), clients.Registration, "", ""},
		{"web http LAN refused", with(webClient(), func(m *clients.Metadata) {
			m.RedirectURIs = []string{"https://ok.example.cn/cb", "http://192.168.1.5/cb"}
		}), clients.Registration, "redirect_uris[1]", clients.InvalidRedirectURI},
		{"web custom scheme refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"cn.gov.gjj.app:/cb"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"relative refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"/callback"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"no host refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"https:///callback"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"empty refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{""} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"fragment refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"https://wt.example.cn/cb#x"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"empty fragment refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"https://wt.example.cn/cb#"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"wildcard host refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"https://*.example.cn/cb"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"wildcard path refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"https://wt.example.cn/*"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"userinfo refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"https://user:pw@wt.example.cn/cb"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"space refused", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = []string{"https://wt.example.cn/a b"} }), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"too long refused", with(webClient(), func(m *clients.Metadata) {
			m.RedirectURIs = []string{"https://wt.example.cn/" + strings.Repeat("a", 2000)}
		}), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"too many refused", with(webClient(), func(m *clients.Metadata) {
			m.RedirectURIs = nil
			for i := range 33 {
				m.RedirectURIs = append(m.RedirectURIs, "https://wt.example.cn/cb"+strings.Repeat("x", i))
			}
		}), clients.Registration, "redirect_uris", clients.InvalidClientMetadata},
		{"duplicates removed", with(webClient(), func(m *clients.Metadata) {
			m.RedirectURIs = []string{"https://a.example.cn/cb", "https://a.example.cn/cb"}
		}), clients.Registration, "", ""},
		{"native loopback v4 any port", nativeClient("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb"), clients.Registration, "", ""},
		{"native loopback v6", nativeClient("http://[::1]:8080/cb"), clients.Registration, "", ""},
		{"native https", nativeClient("https://app.example.cn/cb"), clients.Registration, "", ""},
		{"native private-use scheme", nativeClient("cn.gov.gjj.desktop:/callback"), clients.Registration, "", ""},
		{"native scheme without dot refused", nativeClient("gjjapp:/callback"), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"native localhost accepted", nativeClient("http://localhost:8080/cb"), clients.Registration, "", ""},
		{"native other loopback refused", nativeClient("http://127.0.0.2/cb"), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"native LAN http refused", nativeClient("http://192.168.1.5/cb"), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"native loopback with userinfo refused", nativeClient("http://u@127.0.0.1/cb"), clients.Registration, "redirect_uris[0]", clients.InvalidRedirectURI},
		{"post-logout checked too", with(webClient(), func(m *clients.Metadata) { m.PostLogoutRedirectURIs = []string{"http://wt.example.cn/"} }), clients.Registration, "post_logout_redirect_uris[0]", clients.InvalidClientMetadata},
		{"post-logout https", with(webClient(), func(m *clients.Metadata) { m.PostLogoutRedirectURIs = []string{"https://wt.example.cn/"} }), clients.Registration, "", ""},

		// grants
		{"code needs a redirect URI", with(webClient(), func(m *clients.Metadata) { m.RedirectURIs = nil }), clients.Registration, "redirect_uris", clients.InvalidRedirectURI},
		{"code and refresh", with(webClient(), func(m *clients.Metadata) { m.GrantTypes = []string{"authorization_code", "refresh_token"} }), clients.Registration, "", ""},
		{"refresh needs code", with(webClient(), func(m *clients.Metadata) { m.GrantTypes = []string{"client_credentials", "refresh_token"} }), clients.Registration, "grant_types", clients.InvalidClientMetadata},
		{"client credentials, confidential", clients.Metadata{Name: "数据同步服务", GrantTypes: []string{"client_credentials"}}, clients.Registration, "", ""},
		{"client credentials, public refused", clients.Metadata{Name: "x", AuthMethod: "none", GrantTypes: []string{"client_credentials"}}, clients.Registration, "grant_types[0]", clients.InvalidClientMetadata},
		{"client credentials, native defaults to public", with(nativeClient(), func(m *clients.Metadata) { m.GrantTypes = []string{"client_credentials"} }), clients.Registration, "grant_types[0]", clients.InvalidClientMetadata},
		{"implicit refused", with(webClient(), func(m *clients.Metadata) { m.GrantTypes = []string{"authorization_code", "implicit"} }), clients.Registration, "grant_types[1]", clients.InvalidClientMetadata},
		{"password grant refused", with(webClient(), func(m *clients.Metadata) { m.GrantTypes = []string{"password", "authorization_code"} }), clients.Registration, "grant_types[0]", clients.InvalidClientMetadata},
		{"token exchange, public native (mini program)", clients.Metadata{Name: "全国住房公积金小程序", ApplicationType: "native", GrantTypes: []string{tokenExchange}}, clients.Admin, "", ""},
		{"token exchange, public web", clients.Metadata{Name: "x", AuthMethod: "none", GrantTypes: []string{tokenExchange}}, clients.Admin, "", ""},
		{"token exchange, confidential", clients.Metadata{Name: "x", AuthMethod: "client_secret_post", GrantTypes: []string{tokenExchange}}, clients.Admin, "", ""},
		{"token exchange with code", with(webClient(), func(m *clients.Metadata) {
			m.GrantTypes = []string{"authorization_code", "refresh_token", tokenExchange}
		}), clients.Admin, "", ""},
		{"token exchange by registration", clients.Metadata{Name: "x", ApplicationType: "native", GrantTypes: []string{tokenExchange}}, clients.Registration, "", ""},
		{"token exchange does not issue refresh tokens", clients.Metadata{Name: "x", ApplicationType: "native", GrantTypes: []string{tokenExchange, "refresh_token"}}, clients.Registration, "grant_types", clients.InvalidClientMetadata},
		{"other URN grant refused", with(webClient(), func(m *clients.Metadata) {
			m.GrantTypes = []string{"authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"}
		}), clients.Registration, "grant_types[1]", clients.InvalidClientMetadata},

		{"the pages' client ID is reserved", with(webClient(), func(m *clients.Metadata) { m.ID = "gjjid-pages" }), clients.Admin, "client_id", clients.InvalidClientMetadata},

		// kind and authentication
		{"native confidential allowed", with(nativeClient("http://127.0.0.1/cb"), func(m *clients.Metadata) { m.AuthMethod = "client_secret_post" }), clients.Registration, "", ""},
		{"web public allowed", with(webClient(), func(m *clients.Metadata) { m.AuthMethod = "none" }), clients.Registration, "", ""},
		{"unknown application type", with(webClient(), func(m *clients.Metadata) { m.ApplicationType = "mobile" }), clients.Registration, "application_type", clients.InvalidClientMetadata},
		{"unsupported auth method", with(webClient(), func(m *clients.Metadata) { m.AuthMethod = "client_secret_jwt" }), clients.Registration, "token_endpoint_auth_method", clients.InvalidClientMetadata},
		// private_key_jwt (RFC 7523): keys by URI or inline, public only
		{"private_key_jwt with jwks_uri", with(webClient(), func(m *clients.Metadata) {
			m.AuthMethod, m.JWKSURI = "private_key_jwt", "https://rp.example/jwks.json"
		}), clients.Registration, "", ""},
		{"private_key_jwt with jwks", with(webClient(), func(m *clients.Metadata) {
			m.AuthMethod, m.JWKS = "private_key_jwt", testPublicJWKS
		}), clients.Admin, "", ""},
		{"private_key_jwt without keys refused", with(webClient(), func(m *clients.Metadata) { m.AuthMethod = "private_key_jwt" }), clients.Registration, "jwks_uri", clients.InvalidClientMetadata},
		{"private_key_jwt with an http jwks_uri refused", with(webClient(), func(m *clients.Metadata) {
			m.AuthMethod, m.JWKSURI = "private_key_jwt", "http://rp.example/jwks.json"
		}), clients.Registration, "jwks_uri", clients.InvalidClientMetadata},
		{"private_key_jwt with a private key refused", with(webClient(), func(m *clients.Metadata) {
			m.AuthMethod, m.JWKS = "private_key_jwt", testPrivateJWKS
		}), clients.Admin, "jwks", clients.InvalidClientMetadata},
		{"jwks on a secret client refused", with(webClient(), func(m *clients.Metadata) { m.JWKS = testPublicJWKS }), clients.Admin, "jwks", clients.InvalidClientMetadata},

		// name and ID
		{"name required", with(webClient(), func(m *clients.Metadata) { m.Name = "" }), clients.Registration, "client_name", clients.InvalidClientMetadata},
		{"blank name refused", with(webClient(), func(m *clients.Metadata) { m.Name = "  \t " }), clients.Registration, "client_name", clients.InvalidClientMetadata},
		{"100 runes", with(webClient(), func(m *clients.Metadata) { m.Name = long[:100*3] }), clients.Registration, "", ""},
		{"101 runes refused", with(webClient(), func(m *clients.Metadata) { m.Name = long }), clients.Registration, "client_name", clients.InvalidClientMetadata},
		{"control character refused", with(webClient(), func(m *clients.Metadata) { m.Name = "a\x07b" }), clients.Registration, "client_name", clients.InvalidClientMetadata},
		{"chosen ID", with(webClient(), func(m *clients.Metadata) { m.ID = "Portal.v2_test-1" }), clients.Admin, "", ""},
		{"64-character ID", with(webClient(), func(m *clients.Metadata) { m.ID = strings.Repeat("a", 64) }), clients.Admin, "", ""},
		{"65-character ID refused", with(webClient(), func(m *clients.Metadata) { m.ID = strings.Repeat("a", 65) }), clients.Admin, "client_id", clients.InvalidClientMetadata},
		{"ID with colon refused", with(webClient(), func(m *clients.Metadata) { m.ID = "a:b" }), clients.Admin, "client_id", clients.InvalidClientMetadata},
		{"ID with space refused", with(webClient(), func(m *clients.Metadata) { m.ID = "a b" }), clients.Admin, "client_id", clients.InvalidClientMetadata},
		{"non-ASCII ID refused", with(webClient(), func(m *clients.Metadata) { m.ID = "客户端" }), clients.Admin, "client_id", clients.InvalidClientMetadata},
		{"dot-dot ID refused", with(webClient(), func(m *clients.Metadata) { m.ID = ".." }), clients.Admin, "client_id", clients.InvalidClientMetadata},

		// scopes and connectors
		{"extra scope", with(webClient(), func(m *clients.Metadata) { m.Scopes = []string{"gjj:api", "openid"} }), clients.Registration, "", ""},
		{"malformed scope refused", with(webClient(), func(m *clients.Metadata) { m.Scopes = []string{"ok", `a"b`} }), clients.Registration, "scopes[1]", clients.InvalidClientMetadata},
		{"admin scope by registration refused", with(webClient(), func(m *clients.Metadata) { m.Scopes = []string{"gjjid:admin"} }), clients.Registration, "scopes[0]", clients.InvalidClientMetadata},
		{"ID number scope by registration refused", with(webClient(), func(m *clients.Metadata) { m.Scopes = []string{"gjj:api", "gjj:id_number"} }), clients.Registration, "scopes[1]", clients.InvalidClientMetadata},
		{"reserved scopes by an administrator", with(webClient(), func(m *clients.Metadata) { m.Scopes = []string{"gjjid:admin", "gjj:id_number"} }), clients.Admin, "", ""},
		{"known connectors", with(webClient(), func(m *clients.Metadata) { m.Connectors = []string{"x509", "password"} }), clients.Registration, "", ""},
		{"unknown connector refused", with(webClient(), func(m *clients.Metadata) { m.Connectors = []string{"password", "wechat"} }), clients.Registration, "connectors[1]", clients.InvalidClientMetadata},

		// lifetimes
		{"shorter lifetimes", with(webClient(), func(m *clients.Metadata) {
			m.AccessTokenLifetime, m.IDTokenLifetime, m.RefreshTokenLifetime = 10*time.Minute, time.Hour, 168*time.Hour
		}), clients.Registration, "", ""},
		{"access lifetime below a minute refused", with(webClient(), func(m *clients.Metadata) { m.AccessTokenLifetime = 30 * time.Second }), clients.Registration, "access_token_lifetime", clients.InvalidClientMetadata},
		{"access lifetime beyond the broker's refused", with(webClient(), func(m *clients.Metadata) { m.AccessTokenLifetime = 2 * time.Hour }), clients.Admin, "access_token_lifetime", clients.InvalidClientMetadata},
		{"negative ID token lifetime refused", with(webClient(), func(m *clients.Metadata) { m.IDTokenLifetime = -time.Minute }), clients.Admin, "id_token_lifetime", clients.InvalidClientMetadata},
		{"refresh lifetime beyond the broker's refused", with(webClient(), func(m *clients.Metadata) { m.RefreshTokenLifetime = 721 * time.Hour }), clients.Admin, "refresh_token_lifetime", clients.InvalidClientMetadata},

		// ID token signing algorithm
		{"RS256 ID tokens", with(webClient(), func(m *clients.Metadata) { m.IDTokenSignedResponseAlg = "RS256" }), clients.Registration, "", ""},
		{"ES256 ID tokens", with(webClient(), func(m *clients.Metadata) { m.IDTokenSignedResponseAlg = "ES256" }), clients.Admin, "", ""},
		{"HS256 ID tokens refused", with(webClient(), func(m *clients.Metadata) { m.IDTokenSignedResponseAlg = "HS256" }), clients.Registration, "id_token_signed_response_alg", clients.InvalidClientMetadata},
		{"unsigned ID tokens refused", with(webClient(), func(m *clients.Metadata) { m.IDTokenSignedResponseAlg = "none" }), clients.Admin, "id_token_signed_response_alg", clients.InvalidClientMetadata},
		{"lower-case algorithm refused", with(webClient(), func(m *clients.Metadata) { m.IDTokenSignedResponseAlg = "rs256" }), clients.Admin, "id_token_signed_response_alg", clients.InvalidClientMetadata},
	}
	s := newService(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, err := s.Create(t.Context(), tc.m, clients.CreateOptions{By: tc.by})
			fes := clients.FieldErrors(err)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if c.ID == "" {
					t.Fatal("no client ID")
				}
				return
			}
			if len(fes) == 0 {
				t.Fatalf("accepted (err %v), want %s refused", err, tc.field)
			}
			for _, fe := range fes {
				if fe.Field != tc.field || fe.Code != tc.code || fe.Description == "" {
					t.Errorf("error %q (code %s), want only %s (%s)", fe, fe.Code, tc.field, tc.code)
				}
			}
			var first *clients.FieldError
			if !errors.As(err, &first) || first.Field != tc.field {
				t.Errorf("errors.As does not find the field error in %v", err)
			}
		})
	}
}

// TestDefaultsAndNormalizing: what an empty field becomes.
func TestDefaultsAndNormalizing(t *testing.T) {
	t.Parallel()
	s := newService(t)
	for _, tc := range []struct {
		name               string
		m                  clients.Metadata
		app, auth          string
		grants, uris, scps []string
		secret             bool
	}{
		{"web", webClient(), "web", "client_secret_basic", []string{"authorization_code"}, webClient().RedirectURIs, nil, true},
		{"native", nativeClient("http://127.0.0.1/cb"), "native", "none", []string{"authorization_code"}, []string{"http://127.0.0.1/cb"}, nil, false},
		{"duplicates and standard scopes dropped", with(webClient(), func(m *clients.Metadata) {
			m.Name = "  trimmed  "
			m.RedirectURIs = []string{"https://a.example.cn/1", "https://a.example.cn/2", "https://a.example.cn/1"}
			m.GrantTypes = []string{"authorization_code", "refresh_token", "authorization_code"}
			m.Scopes = []string{"openid", "gjj:api", "profile", "gjj:api", "offline_access"}
		}), "web", "client_secret_basic", []string{"authorization_code", "refresh_token"},
			[]string{"https://a.example.cn/1", "https://a.example.cn/2"}, []string{"gjj:api"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, secret, err := s.Create(t.Context(), tc.m, clients.CreateOptions{By: clients.Registration})
			if err != nil {
				t.Fatal(err)
			}
			if c.ApplicationType != tc.app || c.AuthMethod != tc.auth || !slices.Equal(c.GrantTypes, tc.grants) ||
				!slices.Equal(c.RedirectURIs, tc.uris) || !slices.Equal(c.Scopes, tc.scps) || (secret != "") != tc.secret {
				t.Errorf("got %s %s grants %v uris %v scopes %v secret %t", c.ApplicationType, c.AuthMethod, c.GrantTypes,
					c.RedirectURIs, c.Scopes, secret != "")
			}
			if strings.TrimSpace(c.Name) != c.Name {
				t.Errorf("name %q not trimmed", c.Name)
			}
			if len(c.ID) < 22 {
				t.Errorf("generated ID %q: want 22+ characters", c.ID)
			}
		})
	}
}

func TestMetadataJSON(t *testing.T) {
	t.Parallel()
	m := with(webClient(), func(m *clients.Metadata) {
		m.ID, m.AccessTokenLifetime, m.RefreshTokenLifetime = "portal", 10*time.Minute, 168*time.Hour
	})
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"client_id":"portal"`, `"client_name":"单位网上业务大厅"`, `"redirect_uris":["https://wt.example.cn/oidc/callback"]`,
		`"access_token_lifetime":"10m0s"`, `"refresh_token_lifetime":"168h0m0s"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "id_token_lifetime") {
		t.Errorf("%s shows a zero lifetime", b)
	}
	var back clients.Metadata
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.ID != m.ID || back.Name != m.Name || back.AccessTokenLifetime != m.AccessTokenLifetime ||
		back.RefreshTokenLifetime != m.RefreshTokenLifetime || back.IDTokenLifetime != 0 || !slices.Equal(back.RedirectURIs, m.RedirectURIs) {
		t.Errorf("round trip: %+v, want %+v", back, m)
	}

	err = json.Unmarshal([]byte(`{"client_name":"x","id_token_lifetime":"ten minutes"}`), &back)
	var fe *clients.FieldError
	if !errors.As(err, &fe) || fe.Field != "id_token_lifetime" {
		t.Errorf("bad duration: %v, want a field error for id_token_lifetime", err)
	}
}

func TestIDTokenAlgorithmIsStoredAndRead(t *testing.T) {
	t.Parallel()
	s := newService(t)
	var m clients.Metadata
	if err := json.Unmarshal([]byte(`{"client_name":"贷款系统","redirect_uris":["https://dk.example.cn/cb"],"id_token_signed_response_alg":"RS256"}`), &m); err != nil {
		t.Fatal(err)
	}
	c, _, err := s.Create(t.Context(), m, clients.CreateOptions{By: clients.Admin})
	if err != nil {
		t.Fatal(err)
	}
	if c.IDTokenSignedResponseAlg != "RS256" {
		t.Errorf("stored id_token_signed_response_alg = %q, want RS256", c.IDTokenSignedResponseAlg)
	}
	b, err := json.Marshal(clients.MetadataOf(c))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"id_token_signed_response_alg":"RS256"`) {
		t.Errorf("metadata %s lacks id_token_signed_response_alg", b)
	}
}

// RFC 7515 appendix A.3's P-256 key: public half, and with its private d.
const (
	testPublicJWKS  = `{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1"}]}`
	testPrivateJWKS = `{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI","kid":"k1"}]}`
)
