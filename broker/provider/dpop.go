package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

// DPoP (RFC 9449) binds tokens to a key the client holds. At the token
// endpoint a valid DPoP header makes the access token carry cnf.jkt and
// token_type DPoP, and binds a public client's refresh tokens to the key;
// a client registered with dpop_bound_access_tokens must send one. The
// library knows nothing of DPoP: the proof is checked here before it
// runs, and what it learned travels in the request context to the
// storage (claims, refresh binding, dpop_jkt) and to the response
// (token_type).

// DPoPScheme is the Authorization scheme of DPoP-bound tokens (§7.1).
const DPoPScheme = "DPoP"

type (
	proofKey        struct{}
	dpopJKTParamKey struct{}
)

// withDPoPJKTParam keeps the authorization request's dpop_jkt (RFC 9449
// §10, not a parameter the library parses) for CreateAuthRequest.
func withDPoPJKTParam(ctx context.Context, jkt string) context.Context {
	return context.WithValue(ctx, dpopJKTParamKey{}, jkt)
}

func dpopJKTParam(ctx context.Context) string {
	s, _ := ctx.Value(dpopJKTParamKey{}).(string)
	return s
}

// withProofJKT records the key of the request's verified proof.
func withProofJKT(ctx context.Context, jkt string) context.Context {
	return context.WithValue(ctx, proofKey{}, jkt)
}

// proofJKT is the thumbprint of the request's verified DPoP proof, "" when
// the request carried none.
func proofJKT(ctx context.Context) string {
	s, _ := ctx.Value(proofKey{}).(string)
	return s
}

// endpointURL is the absolute URL a proof's htu must name for path.
func (p *Provider) endpointURL(path string) string {
	return strings.TrimSuffix(p.opts.Issuer, "/") + path
}

// dpopToken checks the proof of a token request. It answers the request
// itself (and returns false) when the proof is bad, the store is
// unreachable or a client bound to DPoP sent none.
func (p *Provider) dpopToken(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, bool) {
	if p.opts.DPoP == nil || r.Method != http.MethodPost {
		return w, r, true
	}
	// A binding the storage finds broken (a refresh token or dpop_jkt of
	// another key) reaches the client as invalid_dpop_proof with its
	// reason: the library would answer a bare invalid_grant.
	ref := &bindingRefusal{}
	ctx := context.WithValue(r.Context(), bindingRefusalKey{}, ref)
	r = r.WithContext(ctx)
	w = &statusWriter{ResponseWriter: w, onHeader: func(w http.ResponseWriter, status int) (int, bool) {
		if status != http.StatusBadRequest || ref.desc == "" {
			return status, false
		}
		w.Header().Del("Content-Length")
		tokenError(w, status, dpop.CodeInvalidProof, ref.desc)
		return status, true
	}}
	headers := r.Header.Values(dpop.Header)
	if len(headers) == 0 {
		cl, err := p.storage.clients.Client(ctx, tokenRequestClientID(r))
		switch {
		case errors.Is(err, store.ErrUnavailable):
			writeUnavailable(w)
			return w, r, false
		case err == nil && (cl.DPoPBoundAccessTokens || cl.Profile == config.ProfileFAPI2):
			// RFC 9449 §5.2 (dpop_bound_access_tokens): such a client's
			// token requests without a proof are refused; FAPI 2.0 §5.3.2.1
			// wants every token of a fapi2 client sender-constrained.
			tokenError(w, http.StatusBadRequest, dpop.CodeInvalidProof, "this client must send a DPoP proof with every token request")
			return w, r, false
		}
		return w, r, true
	}
	p.issueNonce(w) // §8: a DPoP client may always take the next nonce
	proof, err := p.opts.DPoP.Verify(ctx, headers, dpop.Request{Method: r.Method, URL: p.endpointURL(r.URL.Path)})
	if err != nil {
		p.dpopRefused(w, err, false)
		return w, r, false
	}
	r = r.WithContext(withProofJKT(ctx, proof.JKT))
	return &tokenTypeWriter{ResponseWriter: w}, r, true
}

// dpopRefused answers a failed proof: at the token endpoint with a JSON
// error (§5), at a resource with a DPoP challenge (§7.1).
func (p *Provider) dpopRefused(w http.ResponseWriter, err error, resource bool) {
	code := dpop.CodeInvalidProof
	switch {
	case errors.Is(err, dpop.ErrUseNonce):
		code = dpop.CodeUseNonce
		p.issueNonce(w)
	case !errors.Is(err, dpop.ErrInvalidProof):
		writeUnavailable(w) // the replay cache (store) failed
		return
	}
	desc := strings.TrimPrefix(err.Error(), dpop.ErrInvalidProof.Error()+": ")
	if !resource {
		tokenError(w, http.StatusBadRequest, code, desc)
		return
	}
	w.Header().Set("WWW-Authenticate", DPoPChallenge(code, desc))
	writeOAuthError(w, http.StatusUnauthorized, code, desc)
}

// DPoPChallenge is the WWW-Authenticate value of a refusal at a resource
// (RFC 9449 §7.1); code "" for a request without credentials.
func DPoPChallenge(code, desc string) string {
	v := `DPoP algs="` + dpop.AlgsValue() + `"`
	if code != "" {
		v += `, error="` + code + `", error_description="` + strings.ReplaceAll(desc, `"`, `'`) + `"`
	}
	return v
}

// issueNonce hands out the current server nonce when nonces are on.
func (p *Provider) issueNonce(w http.ResponseWriter) {
	if p.opts.DPoP == nil {
		return
	}
	if n := p.opts.DPoP.Nonces; n != nil {
		w.Header().Set(dpop.NonceHeader, n.Issue(p.opts.now()))
	}
}

// tokenRequestClientID is the client a token request names: the Basic
// user, else the client_id form field.
func tokenRequestClientID(r *http.Request) string {
	if id, _, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(id); err == nil {
			return u
		}
		return ""
	}
	return r.PostFormValue("client_id")
}

var (
	bearerTokenType = []byte(`"token_type":"Bearer"`)
	dpopTokenType   = []byte(`"token_type":"DPoP"`)
)

// tokenTypeWriter turns token_type Bearer into DPoP in a successful token
// response (RFC 9449 §5.1): the library and the broker's own grants write
// Bearer. Token responses are small, so the body is held until complete.
type tokenTypeWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (w *tokenTypeWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *tokenTypeWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}

func (w *tokenTypeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// flush writes the held response, rewritten when it is a token response.
func (w *tokenTypeWriter) flush() {
	body := w.buf.Bytes()
	if w.status == http.StatusOK {
		var m map[string]json.RawMessage
		if i := bytes.Index(body, bearerTokenType); i >= 0 && bytes.Count(body, bearerTokenType) == 1 {
			// The usual answer, compact JSON from encoding/json: swap the
			// value in place rather than decode and encode it again.
			body = slices.Concat(body[:i], dpopTokenType, body[i+len(bearerTokenType):])
			w.Header().Del("Content-Length")
		} else if json.Unmarshal(body, &m) == nil && m["access_token"] != nil {
			m["token_type"] = json.RawMessage(`"DPoP"`)
			if b, err := json.Marshal(m); err == nil {
				body = b
				w.Header().Del("Content-Length")
			}
		}
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(body)
}

// bindingRefusal is why a token request's binding failed, for the answer.
type bindingRefusal struct{ desc string }

type bindingRefusalKey struct{}

func refuseBinding(ctx context.Context, desc string) error {
	if ref, ok := ctx.Value(bindingRefusalKey{}).(*bindingRefusal); ok {
		ref.desc = desc
	}
	return oidc.ErrInvalidGrant().WithDescription("%s", desc)
}

// checkRefreshBinding: a refresh token bound to a key (a public client's,
// RFC 9449 §5) is only refreshed with a proof of that key.
func checkRefreshBinding(ctx context.Context, rt *store.RefreshToken) error {
	if rt.DPoPJKT == "" || rt.DPoPJKT == proofJKT(ctx) {
		return nil
	}
	return refuseBinding(ctx, "the refresh token is bound to a DPoP key; send a proof of that key")
}

// checkCodeBinding: an authorization request that named dpop_jkt (RFC
// 9449 §10) is redeemed only with a proof of that key.
func checkCodeBinding(ctx context.Context, r *store.AuthRequest) error {
	if r.DPoPJKT == "" || r.DPoPJKT == proofJKT(ctx) {
		return nil
	}
	return refuseBinding(ctx, "the authorization request named dpop_jkt; send a proof of that key")
}

// bindRefresh binds a new refresh family to the proof's key for public
// clients; a confidential client's refresh tokens are bound to its
// authentication instead (§5).
func bindRefresh(ctx context.Context, rt *store.RefreshToken, public bool) {
	if public {
		rt.DPoPJKT = proofJKT(ctx)
	}
}

// withCnf adds the token's confirmation claim (RFC 7800): the DPoP key
// (jkt, RFC 9449 §6.1) and/or the mTLS login certificate (x5t#S256).
func withCnf(claims map[string]any, x5t, jkt string) {
	cnf := map[string]any{}
	if x5t != "" {
		// RFC 8705 §3.1: bound to the certificate the user logged in with.
		cnf["x5t#S256"] = x5t
	}
	if jkt != "" {
		cnf["jkt"] = jkt
	}
	if len(cnf) > 0 {
		claims["cnf"] = cnf
	}
}

// dpopUserinfo checks a userinfo request made with `Authorization: DPoP`
// (RFC 9449 §7.1): the proof must be for this request, carry the token's
// hash and be signed by the key the token is bound to. The library only
// reads Bearer tokens, so the request goes on as one, with the proof's
// key in its context for SetUserinfoFromToken, which refuses a bound
// token that came without it (§7.2).
func (p *Provider) dpopUserinfo(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, DPoPScheme) || p.opts.DPoP == nil {
		return r, true
	}
	raw = strings.TrimSpace(raw)
	c, ok := parseTokenClaims(raw)
	if !ok || c.CNF.JKT == "" {
		w.Header().Set("WWW-Authenticate", DPoPChallenge("invalid_token", "the access token is invalid or not DPoP-bound"))
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "the access token is invalid or not DPoP-bound")
		return r, false
	}
	proof, err := p.tokens.dpop.Verify(r.Context(), r.Header.Values(dpop.Header), dpop.Request{Method: r.Method, URL: p.endpointURL(r.URL.Path), AccessToken: raw})
	if err == nil && proof.JKT != c.CNF.JKT {
		err = fmt.Errorf("%w: the proof is signed by another key than the token is bound to", dpop.ErrInvalidProof)
	}
	if err != nil {
		p.dpopRefused(w, err, true)
		return r, false
	}
	r = r.WithContext(withProofJKT(r.Context(), proof.JKT))
	r.Header.Set("Authorization", "Bearer "+raw)
	return r, true
}
