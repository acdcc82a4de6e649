package brokertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// LogoutRP is a relying party's back-channel logout endpoint (OpenID
// Connect Back-Channel Logout 1.0 §2.5). It verifies every logout token it
// receives the way §2.6 asks, with go-oidc against the broker's JWKS
// (signature, iss, aud, exp), then checks typ, events, jti, the absence of
// nonce and the presence of sub or sid. While Down it answers 503 without
// accepting anything, as an application that is down would.
type LogoutRP struct {
	URL string // the backchannel_logout_uri to register

	t        testing.TB
	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	down     bool
	attempts int
	accepted []LogoutToken
	arrived  chan struct{}
}

// LogoutToken is a logout token the endpoint accepted.
type LogoutToken struct {
	Raw    string
	Claims map[string]any
}

// Sub and SID are the token's subject and session claims.
func (l LogoutToken) Sub() string { s, _ := l.Claims["sub"].(string); return s }
func (l LogoutToken) SID() string { s, _ := l.Claims["sid"].(string); return s }

// NewLogoutRP starts the endpoint until the test ends. Verify must be
// called (once the broker runs) before tokens arrive.
func NewLogoutRP(t testing.TB) *LogoutRP {
	l := &LogoutRP{t: t, arrived: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(l.serve))
	t.Cleanup(srv.Close)
	l.URL = srv.URL + "/backchannel-logout"
	return l
}

// Verify configures verification for tokens of issuer addressed to
// clientID.
func (l *LogoutRP) Verify(issuer, clientID string) {
	keys := oidc.NewRemoteKeySet(context.Background(), issuer+"/keys")
	l.mu.Lock()
	defer l.mu.Unlock()
	l.verifier = oidc.NewVerifier(issuer, keys, &oidc.Config{ClientID: clientID, SupportedSigningAlgs: []string{"ES256", "RS256"}})
}

// SetDown makes the endpoint answer 503 (true) or accept tokens again.
func (l *LogoutRP) SetDown(down bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down = down
}

// Attempts counts every POST, accepted or not.
func (l *LogoutRP) Attempts() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.attempts
}

// Accepted returns the tokens accepted so far.
func (l *LogoutRP) Accepted() []LogoutToken {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LogoutToken(nil), l.accepted...)
}

// Wait waits until n tokens in all were accepted and returns them.
func (l *LogoutRP) Wait(n int, within time.Duration) []LogoutToken {
	l.t.Helper()
	deadline := time.After(within)
	for {
		if got := l.Accepted(); len(got) >= n {
			return got
		}
		select {
		case <-l.arrived:
		case <-deadline:
			l.t.Fatalf("back-channel logout: %d token(s) accepted within %v (%d attempts), want %d", len(l.Accepted()), within, l.Attempts(), n)
		}
	}
}

func (l *LogoutRP) serve(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.attempts++
	down, v := l.down, l.verifier
	l.mu.Unlock()
	defer func() {
		select {
		case l.arrived <- struct{}{}:
		default:
		}
	}()
	if down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	tok, err := l.check(r, v)
	if err != nil {
		l.t.Errorf("back-channel logout token refused: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	l.mu.Lock()
	l.accepted = append(l.accepted, tok)
	l.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// check validates a logout request per §2.6.
func (l *LogoutRP) check(r *http.Request, v *oidc.IDTokenVerifier) (LogoutToken, error) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		return LogoutToken{}, fmt.Errorf("%s with %q, want a form POST", r.Method, r.Header.Get("Content-Type"))
	}
	raw := r.PostFormValue("logout_token")
	if v == nil {
		return LogoutToken{}, fmt.Errorf("LogoutRP.Verify was not called")
	}
	if _, err := v.Verify(r.Context(), raw); err != nil {
		return LogoutToken{}, fmt.Errorf("verify: %w", err)
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		return LogoutToken{}, err
	}
	if typ := jws.Signatures[0].Protected.ExtraHeaders["typ"]; typ != "logout+jwt" {
		return LogoutToken{}, fmt.Errorf("typ %v, want logout+jwt", typ)
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return LogoutToken{}, err
	}
	events, _ := claims["events"].(map[string]any)
	if _, ok := events["http://schemas.openid.net/event/backchannel-logout"].(map[string]any); !ok {
		return LogoutToken{}, fmt.Errorf("events %v lacks the back-channel logout event", claims["events"])
	}
	if _, ok := claims["nonce"]; ok {
		return LogoutToken{}, fmt.Errorf("logout token carries a nonce")
	}
	if jti, _ := claims["jti"].(string); jti == "" {
		return LogoutToken{}, fmt.Errorf("no jti")
	}
	if _, ok := claims["iat"].(float64); !ok {
		return LogoutToken{}, fmt.Errorf("no iat")
	}
	if claims["sub"] == nil && claims["sid"] == nil {
		return LogoutToken{}, fmt.Errorf("neither sub nor sid")
	}
	return LogoutToken{Raw: raw, Claims: claims}, nil
}
