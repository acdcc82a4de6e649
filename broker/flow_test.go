package broker_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// backends runs a protocol test against both stores.
func backends(t *testing.T, test func(t *testing.T, start func(t *testing.T) *bt.Broker)) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		test(t, func(t *testing.T) *bt.Broker { return start(t, bt.Options{}) })
	})
}

// withPostgres is backendsWith plus a run on Redis + PostgreSQL, for the
// tests of durable records and admin changes (each change and its audit
// event one transaction there).
func withPostgres(t *testing.T, test func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker)) {
	backendsWith(t, test)
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		test(t, func(t *testing.T, o bt.Options) *bt.Broker {
			o.RedisURL, o.KeyPrefix = redistest.URL(t), redistest.Prefix(t)
			dbURL, edit := pgtest.Schema(t, pgtest.URL(t)), o.Edit
			o.Edit = func(c *config.Config) {
				if edit != nil {
					edit(c)
				}
				c.Store.Database = config.Database{URL: dbURL}
				c.ApplyDefaults()
			}
			return bt.Start(t, o)
		})
	})
}

// backendsWith is backends for tests that start brokers with options; the
// redis run adds its store to them.
func backendsWith(t *testing.T, test func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		test(t, func(t *testing.T, o bt.Options) *bt.Broker { return bt.Start(t, o) })
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		test(t, func(t *testing.T, o bt.Options) *bt.Broker {
			o.RedisURL, o.KeyPrefix = redistest.URL(t), redistest.Prefix(t)
			return bt.Start(t, o)
		})
	})
}

// login runs a whole authorization and returns the verified tokens.
func login(t *testing.T, b *bt.Broker, rp *bt.RP, br *bt.Browser, extra ...oauth2.AuthCodeOption) (bt.Flow, *oauth2.Token, map[string]any) {
	t.Helper()
	return rp.PasswordLogin(t, br, b.URL, bt.AgentIDNumber, bt.AgentPassword, extra...)
}

func TestCodeFlow(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		_, tok, claims := login(t, b, rp, bt.NewBrowser(t))

		for k, want := range map[string]any{"name": bt.AgentName, "unit_id": bt.UnitID, "unit_name": bt.UnitName, "idp": "password", "acr": "gjj:loa:1"} {
			if claims[k] != want {
				t.Errorf("id token %s = %v, want %v", k, claims[k], want)
			}
		}
		if amr, _ := claims["amr"].([]any); !slices.Contains(amr, any("pwd")) {
			t.Errorf("amr = %v, want pwd", claims["amr"])
		}
		if roles, _ := claims["roles"].([]any); !slices.Contains(roles, any("unit_admin")) {
			t.Errorf("roles = %v", claims["roles"])
		}
		sub, _ := claims["sub"].(string)
		if sub == "" || strings.Contains(sub, ":") || strings.Contains(sub, bt.AgentIDNumber) {
			t.Errorf("sub = %q: must be an opaque broker ID", sub)
		}
		if _, ok := claims["auth_time"]; !ok {
			t.Error("auth_time missing")
		}
		if tok.RefreshToken == "" {
			t.Error("no refresh token despite offline_access")
		}

		ui, err := rp.Provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatalf("userinfo: %v", err)
		}
		var uc map[string]any
		_ = ui.Claims(&uc)
		if ui.Subject != sub || uc["name"] != bt.AgentName || uc["unit_id"] != bt.UnitID {
			t.Errorf("userinfo = %v", uc)
		}

		in, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken)
		if err != nil || in["active"] != true || in["client_id"] != bt.ClientID || in["unit_id"] != bt.UnitID {
			t.Errorf("introspection = %v, %v", in, err)
		}
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		ctx := context.Background()
		_, tok, claims := login(t, b, rp, bt.NewBrowser(t))

		old := &oauth2.Token{RefreshToken: tok.RefreshToken}
		next, err := rp.OAuth2.TokenSource(ctx, old).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
			t.Fatalf("refresh token not rotated")
		}
		idt, err := rp.VerifyIDToken(ctx, next, "")
		if err != nil {
			t.Fatalf("refreshed id token: %v", err)
		}
		var rc map[string]any
		_ = idt.Claims(&rc)
		if rc["sub"] != claims["sub"] || rc["acr"] != "gjj:loa:1" || rc["unit_id"] != bt.UnitID {
			t.Errorf("refreshed id token claims = %v", rc)
		}

		// Reuse of the rotated token revokes the whole family.
		_, err = rp.OAuth2.TokenSource(ctx, old).Token()
		assertOAuthError(t, err, "invalid_grant")
		_, err = rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: next.RefreshToken}).Token()
		assertOAuthError(t, err, "invalid_grant")
		for _, at := range []string{tok.AccessToken, next.AccessToken} {
			if in, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, at); err != nil || in["active"] != false {
				t.Errorf("access token of revoked family: %v %v", in, err)
			}
		}
	})
}

func TestCodeReplayRevokesTokens(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		ctx := context.Background()
		f, code := codeFor(t, b, rp)
		tok, _, err := rp.Exchange(ctx, f, code)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = rp.Exchange(ctx, f, code)
		assertOAuthError(t, err, "invalid_grant")
		if in, _ := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken); in["active"] != false {
			t.Errorf("access token still active after code replay: %v", in)
		}
		_, err = rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		assertOAuthError(t, err, "invalid_grant")
	})
}

func TestPKCE(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		ctx := context.Background()

		t.Run("wrong or missing verifier", func(t *testing.T) {
			for _, opts := range [][]oauth2.AuthCodeOption{{oauth2.VerifierOption(oauth2.GenerateVerifier())}, nil} {
				f, code := codeFor(t, b, rp)
				_, err := rp.OAuth2.Exchange(ctx, code, opts...)
				if err == nil {
					t.Fatalf("exchange without the right verifier succeeded")
				}
				// The verifier check consumed the code; the right one fails now too.
				_, _, err = rp.Exchange(ctx, f, code)
				assertOAuthError(t, err, "invalid_grant")
			}
		})
		for name, params := range map[string]url.Values{
			"plain":   {"code_challenge": {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs"}, "code_challenge_method": {"plain"}},
			"missing": {},
		} {
			t.Run(name, func(t *testing.T) {
				q := url.Values{"client_id": {bt.ClientID}, "redirect_uri": {bt.RedirectURI}, "response_type": {"code"},
					"scope": {"openid"}, "state": {"s1"}}
				for k, v := range params {
					q[k] = v
				}
				loc, err := bt.NewBrowser(t).Get(b.URL + "/authorize?" + q.Encode())
				if err != nil || loc == nil {
					t.Fatalf("want an error redirect, got %v %v", loc, err)
				}
				if loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "s1" || loc.Query().Get("iss") != b.URL {
					t.Errorf("redirect = %s", loc)
				}
			})
		}
	})
}

func TestRedirectURIChecks(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		ctx := context.Background()

		t.Run("unregistered at authorize shows a page and never redirects", func(t *testing.T) {
			for _, ru := range []string{"https://evil.example/cb", bt.RedirectURI + "/x", "http://127.0.0.1:5555/callback?x=1"} {
				c := rp.OAuth2
				c.RedirectURL = ru
				br := bt.NewBrowser(t)
				loc, err := br.Get(c.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
				if err != nil {
					t.Fatal(err)
				}
				if loc != nil || br.Last != http.StatusBadRequest || !strings.Contains(br.Page, "回调地址与登记的不一致") {
					t.Errorf("%s: status %d, redirect %v, page %.200s", ru, br.Last, loc, br.Page)
				}
			}
		})
		t.Run("token endpoint redirect_uri must match", func(t *testing.T) {
			f, code := codeFor(t, b, rp)
			c := rp.OAuth2
			c.RedirectURL = bt.RedirectURI2
			_, err := c.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
			assertOAuthError(t, err, "invalid_grant")
		})
	})
}

func TestClientAuthentication(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		f, code := codeFor(t, b, rp)
		c := rp.OAuth2
		c.ClientSecret = "wrong"
		c.Endpoint.AuthStyle = oauth2.AuthStyleInHeader // no retry in the body
		_, err := c.Exchange(context.Background(), code, oauth2.VerifierOption(f.Verifier))
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client" {
			t.Fatalf("wrong secret: %v", err)
		}
	})
}

func TestClientCredentialsIntrospectRevoke(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		cc := clientcredentials.Config{ClientID: bt.ServiceID, ClientSecret: bt.ServiceSecret, TokenURL: b.URL + "/oauth/token", Scopes: []string{"gjj:api"}}
		tok, err := cc.Token(context.Background())
		if err != nil {
			t.Fatalf("client_credentials: %v", err)
		}
		in, err := bt.Introspect(b.URL, bt.ServiceID, bt.ServiceSecret, tok.AccessToken)
		if err != nil || in["active"] != true || in["scope"] != "gjj:api" || in["client_id"] != bt.ServiceID {
			t.Fatalf("introspection = %v %v", in, err)
		}
		if in, _ := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken); in["active"] != false {
			t.Errorf("another client may introspect the token: %v", in)
		}
		if st, err := bt.Revoke(b.URL, bt.ServiceID, bt.ServiceSecret, tok.AccessToken, "access_token"); err != nil || st != http.StatusOK {
			t.Fatalf("revoke: %d %v", st, err)
		}
		if in, _ := bt.Introspect(b.URL, bt.ServiceID, bt.ServiceSecret, tok.AccessToken); in["active"] != false {
			t.Errorf("revoked token still active: %v", in)
		}
		cc.Scopes = []string{"gjj:admin"}
		_, err = cc.Token(context.Background())
		assertOAuthError(t, err, "invalid_scope")
	})
}

func TestParallelRedemptions(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		ctx := context.Background()
		f, code := codeFor(t, b, rp)
		if n := race16(func() error { _, err := rp.OAuth2.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier)); return err }); n != 1 {
			t.Errorf("16 parallel code redemptions: %d succeeded, want 1", n)
		}
		// A fresh grant for the refresh race (the code race revoked the first).
		_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
		if n := race16(func() error {
			_, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			return err
		}); n != 1 {
			t.Errorf("16 parallel refreshes: %d succeeded, want 1", n)
		}
	})
}

func race16(f func() error) int {
	var ok atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if f() == nil {
				ok.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	return int(ok.Load())
}

func assertOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want OAuth error %s, got %v", code, err)
	}
	if re.ErrorCode != code {
		t.Fatalf("error = %s (%s), want %s", re.ErrorCode, re.ErrorDescription, code)
	}
}

// TestRefreshScopeNarrowing: a refresh may ask for fewer scopes for its
// access token, but the next refresh token keeps the grant's scope
// (RFC 6749 §6), and asking for more is refused. (x/oauth2 never sends
// scope on refresh, so these are plain token requests.)
func TestRefreshScopeNarrowing(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	rp := bt.NewRP(t, b.URL)
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
	refresh := func(rt, scope string) (int, map[string]any) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		if scope != "" {
			form.Set("scope", scope)
		}
		st, body, _ := bt.PostForm(t, b.URL+"/oauth/token", form, bt.ClientID, bt.ClientSecret, nil)
		return st, body
	}
	scopeOf := func(at string) any {
		in, _ := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, at)
		return in["scope"]
	}
	st, next := refresh(tok.RefreshToken, "openid")
	if st != http.StatusOK || scopeOf(next["access_token"].(string)) != "openid" {
		t.Fatalf("narrowed refresh: %d %v", st, next)
	}
	st, wide := refresh(next["refresh_token"].(string), "")
	if st != http.StatusOK || scopeOf(wide["access_token"].(string)) != "openid profile offline_access" {
		t.Fatalf("refresh after narrowing lost the grant's scope: %d %v", st, wide)
	}
	if st, body := refresh(wide["refresh_token"].(string), "openid phone"); st == http.StatusOK {
		t.Fatalf("refresh widened the grant's scope: %v", body)
	}
}
