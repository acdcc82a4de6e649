package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
)

// The library answers failed authentication without the challenges HTTP
// and OAuth require; challenges adds them, whatever path (the library's or
// the broker's own grants) produced the answer.
//
// Client authentication (token, introspection, revocation endpoints):
// RFC 6749 §5.2 requires a 401 with a WWW-Authenticate challenge for the
// scheme the client used when it tried HTTP Basic, and allows a 401 for
// other failures "to indicate which HTTP authentication schemes are
// supported". A 401 without a challenge is not valid HTTP (RFC 9110
// §15.5.2), so every invalid_client 401 carries `Basic realm="<issuer>"`,
// also when the client sent its secret in the body.
//
// Userinfo (RFC 6750 §3.1): a missing token is a 401 with a bare Bearer
// challenge; a malformed, expired or revoked one a 401 with
// error="invalid_token" (the library answers a revoked token 403); a token
// without the openid scope a 403 with error="insufficient_scope".

// userinfoRefusal is what SetUserinfoFromToken found wrong, for the
// challenge: the library reduces every storage error to one 403.
type userinfoRefusal struct{ insufficientScope atomic.Bool }

type userinfoRefusalKey struct{}

func markInsufficientScope(ctx context.Context) {
	if u, ok := ctx.Value(userinfoRefusalKey{}).(*userinfoRefusal); ok {
		u.insufficientScope.Store(true)
	}
}

// challenges wraps w for the endpoints that authenticate their caller.
func (p *Provider) challenges(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
	switch r.URL.Path {
	case "/oauth/token", "/oauth/introspect", "/revoke":
		return &statusWriter{ResponseWriter: w, onHeader: p.clientChallenge}, r
	case "/userinfo":
		u := &userinfoRefusal{}
		// The library also takes the token from the query (RFC 6750 §2.3).
		presented := presentedBearer(r) != "" || r.URL.Query().Get("access_token") != ""
		sw := &statusWriter{ResponseWriter: w, onHeader: func(w http.ResponseWriter, status int) (int, bool) {
			return p.bearerChallenge(w, status, presented, u.insufficientScope.Load())
		}}
		return sw, r.WithContext(context.WithValue(r.Context(), userinfoRefusalKey{}, u))
	}
	return w, r
}

// clientChallenge adds the Basic challenge to a 401 and turns the
// library's plain-text 401 (introspection) into RFC 6749's JSON error.
func (p *Provider) clientChallenge(w http.ResponseWriter, status int) (int, bool) {
	if status != http.StatusUnauthorized {
		return status, false
	}
	h := w.Header()
	h.Set("WWW-Authenticate", `Basic realm="`+p.opts.Issuer+`"`)
	if strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		return status, false
	}
	writeOAuthError(w, status, "invalid_client", "client authentication failed")
	return status, true
}

// bearerChallenge rewrites the library's userinfo refusals.
func (p *Provider) bearerChallenge(w http.ResponseWriter, status int, presented, insufficientScope bool) (int, bool) {
	realm := `Bearer realm="` + p.opts.Issuer + `"`
	h := w.Header()
	switch {
	case status == http.StatusForbidden && insufficientScope:
		h.Set("WWW-Authenticate", realm+`, error="insufficient_scope", scope="openid"`)
		writeOAuthError(w, status, "insufficient_scope", "the access token was not granted the openid scope")
		return status, true
	case status != http.StatusUnauthorized && status != http.StatusForbidden:
		return status, false
	case !presented:
		h.Set("WWW-Authenticate", realm)
		h.Del("Content-Type")
		w.WriteHeader(http.StatusUnauthorized)
		return http.StatusUnauthorized, true
	}
	const desc = "the access token is invalid, expired or revoked"
	h.Set("WWW-Authenticate", realm+`, error="invalid_token", error_description="`+desc+`"`)
	writeOAuthError(w, http.StatusUnauthorized, "invalid_token", desc)
	return http.StatusUnauthorized, true
}

// presentedBearer is the access token a userinfo request carries (RFC 6750
// §2.1 header or §2.2 form body), "" when none.
func presentedBearer(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:])
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err == nil {
			return r.PostForm.Get("access_token")
		}
	}
	return ""
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	b, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{code, desc})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
