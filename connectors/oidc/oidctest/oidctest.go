// Package oidctest is a fake OpenID Provider for tests, in the style of
// net/http/httptest: discovery, an authorization endpoint that signs the
// browser in at once as the configured user, a token endpoint checking the
// client secret (Basic or form), the redirect_uri and PKCE S256, a JWKS,
// userinfo and an end_session endpoint. Tests can spoil the ID token
// (Tamper), sign it with alg "none" (Unsigned) or move to a new signing key
// that was never published before (Rotate).
package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Server is a running fake OP; URL is its issuer.
type Server struct {
	*httptest.Server
	ClientID, ClientSecret string

	mu       sync.Mutex
	key      *ecdsa.PrivateKey
	kid      string
	claims   map[string]any
	tamper   func(map[string]any)
	unsigned bool
	codes    map[string]grant
	tokens   map[string]map[string]any // access token → userinfo
	logouts  []url.Values
	authReqs []url.Values
	echo     map[string]bool // endpoint → fail quoting the request
	received []url.Values
}

// Endpoints FailEchoing can spoil.
const (
	EndpointToken    = "token"
	EndpointUserinfo = "userinfo"
)

// FailEchoing makes every later request to endpoint fail with an answer
// that quotes everything the request carried (form, Authorization
// header), as a careless provider might in error_description or an error
// page. Tests use it to check that nothing the client sent reaches a log.
func (s *Server) FailEchoing(endpoint string) {
	s.mu.Lock()
	s.echo[endpoint] = true
	s.mu.Unlock()
}

// Received returns what every token and userinfo request carried: its
// form, and its Authorization header under "authorization".
func (s *Server) Received() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.received...)
}

// receive records r and reports whether endpoint is to fail echoing it;
// the echo is then the text to answer with.
func (s *Server) receive(endpoint string, r *http.Request) (bool, string) {
	v := url.Values{}
	for k, vs := range r.PostForm {
		v[k] = vs
	}
	v.Set("authorization", r.Header.Get("Authorization"))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, v)
	raw, _ := json.Marshal(v)
	return s.echo[endpoint], "request was: " + v.Encode() + " " + string(raw)
}

type grant struct {
	clientID, redirectURI, challenge, nonce string
}

// NewServer starts a fake OP for one client. Close it when done.
func NewServer(clientID, clientSecret string) *Server {
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, codes: map[string]grant{}, echo: map[string]bool{}, tokens: map[string]map[string]any{},
		claims: map[string]any{"sub": "upstream-1", "name": "张三"}}
	s.newKey()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("GET /jwks", s.jwks)
	mux.HandleFunc("GET /userinfo", s.userinfo)
	mux.HandleFunc("GET /end_session", s.endSession)
	s.Server = httptest.NewServer(mux)
	return s
}

func (s *Server) newKey() {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	s.key, s.kid = k, randomString()[:12]
}

// SetClaims sets the claims of later ID tokens (iss, aud, exp, iat and
// nonce are added); the same claims answer userinfo.
func (s *Server) SetClaims(c map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claims = c
}

// Tamper changes every later ID token's final claims (nil: none).
func (s *Server) Tamper(f func(claims map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tamper = f
}

// Unsigned makes later ID tokens use alg "none".
func (s *Server) Unsigned(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unsigned = on
}

// Rotate replaces the signing key by a new one with a new key ID; the old
// key leaves the JWKS.
func (s *Server) Rotate() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newKey()
	return s.kid
}

// KeyID is the current signing key's ID.
func (s *Server) KeyID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kid
}

// AuthRequests are the authorization requests' query parameters, oldest first.
func (s *Server) AuthRequests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.authReqs...)
}

// Logouts are the end_session requests' query parameters, oldest first.
func (s *Server) Logouts() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.logouts...)
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": s.URL, "authorization_endpoint": s.URL + "/authorize", "token_endpoint": s.URL + "/token",
		"jwks_uri": s.URL + "/jwks", "userinfo_endpoint": s.URL + "/userinfo", "end_session_endpoint": s.URL + "/end_session",
		"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256", "none"}, "code_challenge_methods_supported": []string{"S256"},
	})
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.authReqs = append(s.authReqs, q)
	s.mu.Unlock()
	if q.Get("client_id") != s.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	code := randomString()
	s.mu.Lock()
	s.codes[code] = grant{clientID: s.ClientID, redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce")}
	s.mu.Unlock()
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	bq.Set("iss", s.URL)
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if echo, text := s.receive(EndpointToken, r); echo {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": text})
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID || secret != s.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	s.mu.Lock()
	g, ok := s.codes[r.PostForm.Get("code")]
	delete(s.codes, r.PostForm.Get("code"))
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if !ok || r.PostForm.Get("grant_type") != "authorization_code" || g.redirectURI != r.PostForm.Get("redirect_uri") ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	at := randomString()
	idt, err := s.idToken(g.nonce)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 300, "id_token": idt})
}

func (s *Server) idToken(nonce string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	c := map[string]any{}
	for k, v := range s.claims {
		c[k] = v
	}
	c["iss"], c["aud"], c["iat"], c["exp"] = s.URL, s.ClientID, now.Unix(), now.Add(5*time.Minute).Unix()
	if nonce != "" {
		c["nonce"] = nonce
	}
	if s.tamper != nil {
		s.tamper(c)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	if s.unsigned {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		return h + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", nil
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &s.key.PublicKey, KeyID: s.kid, Algorithm: "ES256", Use: "sig"}}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	if echo, text := s.receive(EndpointUserinfo, r); echo {
		http.Error(w, text, http.StatusUnauthorized)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	c := s.claims
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.logouts = append(s.logouts, q)
	s.mu.Unlock()
	if q.Get("client_id") != s.ClientID {
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(q.Get("post_logout_redirect_uri"))
	if err != nil || back.Host == "" {
		fmt.Fprintln(w, "logged out")
		return
	}
	bq := back.Query()
	if st := q.Get("state"); st != "" {
		bq.Set("state", st)
	}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
