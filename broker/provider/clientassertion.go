package provider

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

// private_key_jwt (RFC 7523 §2.2, OpenID Connect Core §9): the client
// signs a short JWT with a key of its registered jwks or jwks_uri instead
// of sending a secret. The library's own check of such assertions accepts
// only the issuer as audience, allows one second of clock skew and keeps
// no record of used assertions, so the broker checks them itself, before
// the library runs, at every endpoint where clients authenticate. A
// verified client then goes on as if it had sent Basic credentials: a
// one-time secret that only this request's context knows, which
// AuthorizeClientIDSecret accepts for it (and nothing else does).

const (
	clientAssertionTypeJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// assertionSkew is the clock difference allowed on exp, iat and nbf.
	assertionSkew = 10 * time.Second
	// maxAssertionLife bounds exp, and so how long a jti is remembered.
	maxAssertionLife = time.Hour
)

// clientAuthEndpoints are where clients authenticate.
var clientAuthEndpoints = []string{"/oauth/token", "/oauth/introspect", "/revoke", PAREndpoint}

type assertedKey struct{}

// asserted is a client a verified assertion authenticated, and the
// one-time secret standing for it in this request.
type asserted struct{ clientID, secret string }

// clientAssertion verifies a request's client_assertion, if it carries
// one, and rewrites the request as Basic authentication with a one-time
// secret. It answers the request itself (false) when the assertion fails:
// 401 invalid_client, or 503 when the store cannot be reached.
func (p *Provider) clientAssertion(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if r.Method != http.MethodPost || !slices.Contains(clientAuthEndpoints, r.URL.Path) {
		return r, true
	}
	if err := r.ParseForm(); err != nil || !r.PostForm.Has("client_assertion_type") && !r.PostForm.Has("client_assertion") {
		return r, true
	}
	ctx := r.Context()
	id, err := p.verifyAssertion(ctx, r)
	if err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			writeUnavailable(w)
			return r, false
		}
		p.storage.log.InfoContext(ctx, "client assertion refused", "endpoint", r.URL.Path, "err", err)
		p.clientAuthFailed(w, false)
		return r, false
	}
	secret := secrets.Random(32)
	form := url.Values{}
	for k, v := range r.PostForm {
		if k != "client_assertion" && k != "client_assertion_type" && k != "client_id" {
			form[k] = v
		}
	}
	if r.URL.Path == PAREndpoint {
		// A push keeps its client_id among the request's parameters.
		form.Set("client_id", id)
	}
	body := form.Encode()
	r2 := r.Clone(context.WithValue(ctx, assertedKey{}, asserted{id, secret}))
	r2.Body = http.NoBody
	if body != "" {
		r2.Body = readCloser{strings.NewReader(body)}
	}
	r2.ContentLength = int64(len(body))
	r2.Form, r2.PostForm = nil, nil
	r2.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return r2, true
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// assertedSecret reports whether secret is the one-time secret of a
// verified assertion of client id in this request.
func assertedSecret(ctx context.Context, id, secret string) bool {
	a, ok := ctx.Value(assertedKey{}).(asserted)
	return ok && a.clientID == id && subtle.ConstantTimeCompare([]byte(a.secret), []byte(secret)) == 1
}

// assertionClaims are the claims of RFC 7523 §3 the broker reads.
type assertionClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  audience `json:"aud"`
	Expiry    *int64   `json:"exp"`
	IssuedAt  *int64   `json:"iat"`
	NotBefore *int64   `json:"nbf"`
	ID        string   `json:"jti"`
}

// verifyAssertion checks the assertion of r and returns its client.
func (p *Provider) verifyAssertion(ctx context.Context, r *http.Request) (string, error) {
	f := r.PostForm
	if _, _, basic := r.BasicAuth(); basic || f.Has("client_secret") {
		return "", errors.New("use one client authentication method")
	}
	if len(f["client_assertion"]) != 1 || f.Get("client_assertion_type") != clientAssertionTypeJWT {
		return "", errors.New("client_assertion_type must be " + clientAssertionTypeJWT + ", with one client_assertion")
	}
	jws, err := jose.ParseSignedCompact(f.Get("client_assertion"), config.ClientKeyAlgs)
	if err != nil || len(jws.Signatures) != 1 {
		return "", fmt.Errorf("client_assertion is not a JWS with an accepted algorithm: %v", err)
	}
	var c assertionClaims
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c); err != nil {
		return "", fmt.Errorf("client_assertion claims: %w", err)
	}
	if c.Issuer == "" || c.Subject != c.Issuer {
		return "", errors.New("iss and sub must both be the client_id")
	}
	if id := f.Get("client_id"); id != "" && id != c.Issuer {
		return "", errors.New("client_id is not the assertion's client")
	}
	cl, err := p.storage.clients.Client(ctx, c.Issuer)
	switch {
	case errors.Is(err, store.ErrUnavailable):
		return "", err
	case err != nil:
		return "", fmt.Errorf("client %q: %w", c.Issuer, err)
	case cl.AuthMethod != "private_key_jwt":
		return "", fmt.Errorf("client %q does not authenticate with private_key_jwt", c.Issuer)
	}
	sig := jws.Signatures[0].Protected
	keys, err := p.clientKeys.find(ctx, cl, sig.KeyID, jose.SignatureAlgorithm(sig.Algorithm))
	if err != nil {
		return "", err
	}
	if !slices.ContainsFunc(keys, func(k jose.JSONWebKey) bool { _, err := jws.Verify(k); return err == nil }) {
		return "", errors.New("the signature does not verify with the client's keys")
	}
	now := p.opts.now()
	if err := p.checkAssertionTimes(c, now, r.URL.Path); err != nil {
		return "", err
	}
	// RFC 7523 §3 item 7: a jti is used once; remembered until the
	// assertion could no longer pass the exp check anyway.
	ttl := time.Unix(*c.Expiry, 0).Add(assertionSkew).Sub(now)
	err = p.storage.st.AddValue(ctx, "pkjwt:"+secrets.Hash(c.Issuer+"\x00"+c.ID), []byte{1}, ttl)
	switch {
	case errors.Is(err, store.ErrConflict):
		return "", errors.New("client_assertion replayed (jti already used)")
	case err != nil:
		return "", err
	}
	return c.Issuer, nil
}

// checkAssertionTimes applies aud, exp, iat, nbf and jti presence.
func (p *Provider) checkAssertionTimes(c assertionClaims, now time.Time, path string) error {
	issuer, endpoint := strings.TrimSuffix(p.opts.Issuer, "/"), p.endpointURL(path)
	if !slices.ContainsFunc(c.Audience, func(a string) bool { return strings.TrimSuffix(a, "/") == issuer || a == endpoint }) {
		return fmt.Errorf("aud must be the issuer %s or the endpoint %s", issuer, endpoint)
	}
	switch {
	case c.Expiry == nil:
		return errors.New("exp is required")
	case !now.Before(time.Unix(*c.Expiry, 0).Add(assertionSkew)):
		return errors.New("the assertion expired")
	case time.Unix(*c.Expiry, 0).After(now.Add(maxAssertionLife)):
		return fmt.Errorf("exp is more than %v ahead", maxAssertionLife)
	case c.IssuedAt != nil && time.Unix(*c.IssuedAt, 0).After(now.Add(assertionSkew)):
		return errors.New("iat is in the future")
	case c.NotBefore != nil && time.Unix(*c.NotBefore, 0).After(now.Add(assertionSkew)):
		return errors.New("the assertion is not valid yet (nbf)")
	case c.ID == "" || len(c.ID) > 256:
		return errors.New("jti is required (at most 256 characters)")
	}
	return nil
}

// audience is aud, a string or an array of strings (RFC 7519 §4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud must be a string or an array of strings")
	}
	*a = many
	return nil
}
