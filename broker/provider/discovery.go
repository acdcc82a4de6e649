package provider

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/config"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// discoveryCache keeps the discovery document's bytes; they change only when
// the published signing algorithms do (a key-set version change).
type discoveryCache struct {
	p       *Provider
	mu      sync.RWMutex
	version int64
	body    []byte
}

func newDiscoveryCache(p *Provider) *discoveryCache { return &discoveryCache{p: p, version: -1} }

func (d *discoveryCache) get(r *http.Request) ([]byte, error) {
	v := d.p.storage.keys.Version()
	d.mu.RLock()
	if d.version == v && d.body != nil {
		b := d.body
		d.mu.RUnlock()
		return b, nil
	}
	d.mu.RUnlock()
	b, err := d.build(r)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.version, d.body = v, b
	d.mu.Unlock()
	return b, nil
}

// build starts from the library's document and corrects it to what the
// broker really supports (the library advertises implicit flows, the
// jwt-bearer grant and `plain` PKCE regardless of configuration).
func (d *discoveryCache) build(r *http.Request) ([]byte, error) {
	ctx := op.ContextWithIssuer(r.Context(), d.p.opts.Issuer)
	doc := op.CreateDiscoveryConfig(ctx, d.p.op, d.p.storage)
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"device_authorization_endpoint", "check_session_iframe", "request_object_signing_alg_values_supported",
		"token_endpoint_auth_signing_alg_values_supported", "introspection_endpoint_auth_signing_alg_values_supported",
		"revocation_endpoint_auth_signing_alg_values_supported"} {
		delete(m, k)
	}
	m["response_types_supported"] = []string{"code"}
	m["response_modes_supported"] = []string{"query"}
	m["grant_types_supported"] = []string{"authorization_code", "refresh_token", "client_credentials"}
	if len(d.p.opts.Login.SubjectTokenTypes()) > 0 {
		m["grant_types_supported"] = append(m["grant_types_supported"].([]string), GrantTypeTokenExchange)
	}
	m["code_challenge_methods_supported"] = []string{"S256"}
	auth := []string{"client_secret_basic", "client_secret_post", "private_key_jwt", AuthTLSClient, AuthSelfSignedTLSClient}
	m["token_endpoint_auth_methods_supported"] = append(slices.Clone(auth), "none")
	m["introspection_endpoint_auth_methods_supported"] = auth
	m["revocation_endpoint_auth_methods_supported"] = append(slices.Clone(auth), "none")
	if u := strings.TrimSuffix(d.p.opts.MTLSURL, "/"); u != "" {
		// RFC 8705 §5: where clients that authenticate with a certificate
		// reach the endpoints (the listener that asks for one).
		m["mtls_endpoint_aliases"] = map[string]string{"token_endpoint": u + "/oauth/token", "introspection_endpoint": u + "/oauth/introspect",
			"revocation_endpoint": u + "/revoke", "pushed_authorization_request_endpoint": u + PAREndpoint}
	}
	// The algorithms private_key_jwt assertions may use (clientassertion.go).
	var algs []string
	for _, a := range config.ClientKeyAlgs {
		algs = append(algs, string(a))
	}
	for _, k := range []string{"token_endpoint_auth_signing_alg_values_supported", "introspection_endpoint_auth_signing_alg_values_supported",
		"revocation_endpoint_auth_signing_alg_values_supported"} {
		m[k] = algs
	}
	m["scopes_supported"] = append([]string(nil), standardScopes...)
	m["claims_supported"] = []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp",
		"at_hash", "name", ClaimSID, ClaimUnitID, ClaimUnitName, ClaimRoles, ClaimIDP}
	m["subject_types_supported"] = []string{"public"}
	m["authorization_response_iss_parameter_supported"] = true // RFC 9207
	m["claims_parameter_supported"] = false
	m["request_parameter_supported"] = false
	m["request_uri_parameter_supported"] = false
	// OpenID Connect Back-Channel Logout 1.0 §2.1, Front-Channel Logout
	// 1.0 §3: supported, with sid, when the broker has a logout service.
	logout := d.p.opts.Logout != nil
	for _, k := range []string{"backchannel_logout_supported", "backchannel_logout_session_supported",
		"frontchannel_logout_supported", "frontchannel_logout_session_supported"} {
		m[k] = logout
	}
	// RFC 9126 §5.
	m["pushed_authorization_request_endpoint"] = d.p.endpointURL(PAREndpoint)
	m["require_pushed_authorization_requests"] = d.p.opts.RequirePAR
	if d.p.opts.DPoP != nil {
		m["dpop_signing_alg_values_supported"] = strings.Fields(dpop.AlgsValue()) // RFC 9449 §5.1
	}
	if len(d.p.opts.ACRValues) > 0 {
		m["acr_values_supported"] = d.p.opts.ACRValues
	}
	if e := d.p.opts.RegistrationEndpoint; e != "" {
		m["registration_endpoint"] = e // RFC 8414 §2, OpenID Connect Discovery §3
	} else {
		delete(m, "registration_endpoint")
	}
	return json.Marshal(m)
}

func (p *Provider) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	b, err := p.discovery.get(r)
	if err != nil {
		http.Error(w, "discovery unavailable", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	corsPublic(w)
	_, _ = w.Write(b)
}

// serveJWKS serves the key manager's cached bytes. Caches may keep them
// five minutes: a new key is published a full publish-ahead period before
// it signs, far longer than that.
func (p *Provider) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/jwk-set+json")
	h.Set("Cache-Control", "public, max-age=300")
	corsPublic(w)
	_, _ = w.Write(p.storage.keys.JWKS())
}
