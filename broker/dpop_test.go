package broker_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/config"
)

// nativeDPoP is the demo native client (public, PKCE) of broker b as an
// x/oauth2 config with its loopback redirect.
func nativeDPoP(t *testing.T, b *bt.Broker) oauth2.Config {
	t.Helper()
	c := bt.NewRP(t, b.URL).OAuth2
	c.ClientID, c.ClientSecret = bt.NativeClientID, ""
	c.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	c.RedirectURL = "http://127.0.0.1:49152/callback"
	return c
}

// nativeCode logs the agent in for the native client and returns the code
// and the PKCE verifier; extra adds authorization parameters.
func nativeCode(t *testing.T, b *bt.Broker, c oauth2.Config, extra ...oauth2.AuthCodeOption) (string, string) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	br := loopbackBrowser(t)
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, extra...)
	loc, err := br.Login(b.URL, c.AuthCodeURL("st", opts...), bt.AgentIDNumber, bt.AgentPassword)
	if err != nil || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("native login: %v %v (page %d: %.300s)", loc, err, br.Last, br.Page)
	}
	return loc.Query().Get("code"), verifier
}

// loopbackBrowser is a browser that stops at a redirect to the native
// client's loopback port, 49152, where the desktop client would listen.
func loopbackBrowser(t *testing.T) *bt.Browser {
	br := bt.NewBrowser(t)
	br.Client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Port() == "49152" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return br
}

// withProver is a context whose x/oauth2 requests carry proofs of p.
func withProver(p *dpop.Prover) context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, bt.DPoPClient(p))
}

// resource calls an endpoint of the broker with the token under scheme;
// proof "" sends none. It returns the status, the WWW-Authenticate header
// and the decoded body.
func resource(t *testing.T, method, u, scheme, token, proof string) (int, string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	req.Header.Set("Authorization", scheme+" "+token)
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, m, _ := bt.Send(t, nil, req)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), m
}

func mustProof(t *testing.T, p *dpop.Prover, method, u, at string) string {
	t.Helper()
	s, err := p.Proof(method, u, at, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDPoPBoundTokens: a public client that sends DPoP proofs gets tokens
// bound to its key (RFC 9449), which the broker's resources accept only
// with a fresh proof of that key.
func TestDPoPBoundTokens(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		c := nativeDPoP(t, b)
		key, other := bt.NewProver(t), bt.NewProver(t)
		code, verifier := nativeCode(t, b, c)
		tok, err := c.Exchange(withProver(key), code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange with a proof: %v", err)
		}
		if tok.TokenType != "DPoP" {
			t.Fatalf("token_type %q, want DPoP", tok.TokenType)
		}
		cnf, _ := jwtClaims(t, tok.AccessToken)["cnf"].(map[string]any)
		if cnf["jkt"] != key.JKT {
			t.Fatalf("cnf %v, want jkt %s", cnf, key.JKT)
		}
		ui := b.URL + "/userinfo"

		if st, _, m := resource(t, "GET", ui, "DPoP", tok.AccessToken, mustProof(t, key, "GET", ui, tok.AccessToken)); st != http.StatusOK || m["sub"] == nil {
			t.Fatalf("userinfo with DPoP and a proof: %d %v", st, m)
		}
		replayed := mustProof(t, key, "GET", ui, tok.AccessToken)
		if st, _, _ := resource(t, "GET", ui, "DPoP", tok.AccessToken, replayed); st != http.StatusOK {
			t.Fatalf("first use of a proof: %d", st)
		}
		wrongATH, _ := key.Make(dpop.ProofClaims{HTM: "GET", HTU: ui, ATH: dpop.ATH("another token")})
		for _, tc := range []struct {
			name, scheme, proof, wantErr string
		}{
			{"as a bearer token", "Bearer", "", "invalid_token"},
			{"without a proof", "DPoP", "", "invalid_dpop_proof"},
			{"with a replayed proof", "DPoP", replayed, "invalid_dpop_proof"},
			{"with a proof of another key", "DPoP", mustProof(t, other, "GET", ui, tok.AccessToken), "invalid_dpop_proof"},
			{"with a proof for another URL", "DPoP", mustProof(t, key, "GET", b.URL+"/oauth/introspect", tok.AccessToken), "invalid_dpop_proof"},
			{"with a proof for another method", "DPoP", mustProof(t, key, "POST", ui, tok.AccessToken), "invalid_dpop_proof"},
			{"with a proof for another token", "DPoP", wrongATH, "invalid_dpop_proof"},
		} {
			st, challenge, m := resource(t, "GET", ui, tc.scheme, tok.AccessToken, tc.proof)
			if st != http.StatusUnauthorized || m["error"] != tc.wantErr || !strings.Contains(challenge, `error="`+tc.wantErr+`"`) {
				t.Errorf("userinfo %s: %d %q %v, want 401 %s", tc.name, st, challenge, m, tc.wantErr)
			}
		}

		// Refresh: the family is bound to the key (public client, §5).
		refresh := func(ctx context.Context) (*oauth2.Token, error) {
			return c.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
		}
		if _, err := refresh(withProver(other)); err == nil || !strings.Contains(err.Error(), "invalid_dpop_proof") {
			t.Fatalf("refresh with another key: %v, want invalid_dpop_proof", err)
		}
		if _, err := refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid_dpop_proof") {
			t.Fatalf("refresh without a proof: %v, want invalid_dpop_proof", err)
		}
		next, err := refresh(withProver(key))
		if err != nil || next.TokenType != "DPoP" {
			t.Fatalf("refresh with the key: %v %v", next, err)
		}
		if cnf, _ := jwtClaims(t, next.AccessToken)["cnf"].(map[string]any); cnf["jkt"] != key.JKT {
			t.Fatalf("refreshed token cnf %v, want jkt %s", cnf, key.JKT)
		}
	})
}

// TestDPoPTokenEndpointRefusals: bad proofs at the token endpoint are
// refused with invalid_dpop_proof and spend nothing else.
func TestDPoPTokenEndpointRefusals(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		key := bt.NewProver(t)
		tokenURL := b.URL + "/oauth/token"
		replayed := mustProof(t, key, "POST", tokenURL, "")
		post := func(proof string) (int, map[string]any) {
			st, m, _ := serviceToken(t, tokenURL, proof)
			return st, m
		}
		st, m := post(replayed)
		if st != http.StatusOK || m["token_type"] != "DPoP" {
			t.Fatalf("client_credentials with a proof: %d %v", st, m)
		}
		if cnf, _ := jwtClaims(t, m["access_token"].(string))["cnf"].(map[string]any); cnf["jkt"] != key.JKT {
			t.Fatalf("client_credentials token cnf %v", cnf)
		}
		old, _ := key.Make(dpop.ProofClaims{HTM: "POST", HTU: tokenURL, IAT: time.Now().Add(-2 * time.Minute).Unix()})
		for _, tc := range []struct{ name, proof string }{
			{"replayed", replayed},
			{"too old", old},
			{"for another URL", mustProof(t, key, "POST", b.URL+"/revoke", "")},
			{"for GET", mustProof(t, key, "GET", tokenURL, "")},
			{"not a JWT", "not-a-proof"},
		} {
			if st, m := post(tc.proof); st != http.StatusBadRequest || m["error"] != "invalid_dpop_proof" {
				t.Errorf("proof %s: %d %v, want 400 invalid_dpop_proof", tc.name, st, m)
			}
		}
		if st, m := post(""); st != http.StatusOK || m["token_type"] != "Bearer" {
			t.Fatalf("without a proof: %d %v, want a bearer token", st, m)
		}
	})
}

// TestDPoPBoundClientAndDPoPJKT: a client registered with
// dpop_bound_access_tokens must send proofs (RFC 9449 §5.2), and an
// authorization request naming dpop_jkt is redeemed only with that key
// (§10).
func TestDPoPBoundClientAndDPoPJKT(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		b := start(t, bt.Options{Edit: func(cfg *config.Config) {
			for i := range cfg.Clients {
				if cfg.Clients[i].ID == bt.NativeClientID {
					cfg.Clients[i].DPoPBoundAccessTokens = true
				}
			}
		}})
		c := nativeDPoP(t, b)
		key, other := bt.NewProver(t), bt.NewProver(t)

		code, verifier := nativeCode(t, b, c)
		if _, err := c.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), "invalid_dpop_proof") {
			t.Fatalf("exchange without a proof for a DPoP-bound client: %v", err)
		}
		// The code was not spent by the refusal.
		if tok, err := c.Exchange(withProver(key), code, oauth2.VerifierOption(verifier)); err != nil || tok.TokenType != "DPoP" {
			t.Fatalf("the same code with a proof: %v %v", tok, err)
		}

		code, verifier = nativeCode(t, b, c, oauth2.SetAuthURLParam("dpop_jkt", key.JKT))
		if _, err := c.Exchange(withProver(other), code, oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), "invalid_dpop_proof") {
			t.Fatalf("dpop_jkt of one key redeemed with another: %v", err)
		}
		code, verifier = nativeCode(t, b, c, oauth2.SetAuthURLParam("dpop_jkt", key.JKT))
		if tok, err := c.Exchange(withProver(key), code, oauth2.VerifierOption(verifier)); err != nil || tok.TokenType != "DPoP" {
			t.Fatalf("dpop_jkt redeemed with its key: %v %v", tok, err)
		}

		d := bt.Discovery(t, b.URL)
		if algs, _ := d["dpop_signing_alg_values_supported"].([]any); len(algs) == 0 || algs[0] != "ES256" {
			t.Fatalf("discovery dpop_signing_alg_values_supported = %v", d["dpop_signing_alg_values_supported"])
		}
	})
}

// TestDPoPIntrospectionAndSelfService: introspection says a bound token is
// a DPoP token and names its key (RFC 9449 §6.2); the unit self-service
// API takes it with its proof and refuses it as a bearer token.
func TestDPoPIntrospectionAndSelfService(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		key := bt.NewProver(t)
		f, code := rp.PasswordCode(t, bt.NewBrowser(t), b.URL, bt.AgentIDNumber, bt.AgentPassword)
		tok, err := rp.OAuth2.Exchange(withProver(key), code, oauth2.VerifierOption(f.Verifier))
		if err != nil || tok.TokenType != "DPoP" {
			t.Fatalf("confidential exchange with a proof: %v %v", tok, err)
		}
		in, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, tok.AccessToken)
		if err != nil || in["active"] != true || in["token_type"] != "DPoP" {
			t.Fatalf("introspection: %v %v", in, err)
		}
		if cnf, _ := in["cnf"].(map[string]any); cnf["jkt"] != key.JKT {
			t.Fatalf("introspection cnf = %v", in["cnf"])
		}
		api := b.URL + "/api/v1/unit/agents"
		st, challenge, m := resource(t, "GET", api, "Bearer", tok.AccessToken, "")
		if st != http.StatusUnauthorized || m["error"] != "invalid_token" || !strings.HasPrefix(challenge, "Bearer") {
			t.Fatalf("self-service API with the bound token as bearer: %d %q %v", st, challenge, m)
		}
		st, challenge, m = resource(t, "GET", api, "DPoP", tok.AccessToken, mustProof(t, bt.NewProver(t), "GET", api, tok.AccessToken))
		if st != http.StatusUnauthorized || m["error"] != "invalid_dpop_proof" || !strings.HasPrefix(challenge, "DPoP") {
			t.Fatalf("self-service API with another key's proof: %d %q %v", st, challenge, m)
		}
		st, _, m = resource(t, "GET", api, "DPoP", tok.AccessToken, mustProof(t, key, "GET", api, tok.AccessToken))
		if st == http.StatusUnauthorized {
			t.Fatalf("self-service API with the token and its proof: %d %v", st, m)
		}
	})
}

// TestDPoPServerNonce: with dpop.require_nonce the token endpoint answers
// a proof without the server's nonce with use_dpop_nonce and a fresh
// DPoP-Nonce (RFC 9449 §8); the retry with it succeeds.
func TestDPoPServerNonce(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) { c.DPoP.RequireNonce = true }})
	key := bt.NewProver(t)
	tokenURL := b.URL + "/oauth/token"
	post := func(nonce string) (int, map[string]any, http.Header) {
		proof, err := key.Proof(http.MethodPost, tokenURL, "", nonce)
		if err != nil {
			t.Fatal(err)
		}
		return serviceToken(t, tokenURL, proof)
	}
	st, m, h := post("")
	nonce := h.Get("DPoP-Nonce")
	if st != http.StatusBadRequest || m["error"] != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("proof without a nonce: %d %v nonce %q", st, m, nonce)
	}
	if st, m, _ := post("made-up-nonce"); st != http.StatusBadRequest || m["error"] != "use_dpop_nonce" {
		t.Fatalf("proof with a made-up nonce: %d %v", st, m)
	}
	if st, m, _ := post(nonce); st != http.StatusOK || m["token_type"] != "DPoP" {
		t.Fatalf("proof with the server's nonce: %d %v", st, m)
	}
}

// serviceToken asks for a client_credentials token as the demo service,
// with a DPoP proof unless proof is "".
func serviceToken(t *testing.T, tokenURL, proof string) (int, map[string]any, http.Header) {
	t.Helper()
	h := http.Header{}
	if proof != "" {
		h.Set("DPoP", proof)
	}
	return bt.PostForm(t, tokenURL, url.Values{"grant_type": {"client_credentials"}, "scope": {"gjj:api"}}, bt.ServiceID, bt.ServiceSecret, h)
}
