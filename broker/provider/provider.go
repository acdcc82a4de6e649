// Package provider is the only package that imports zitadel/oidc's op: it
// builds the OpenID Provider, adapts the broker's store, keys and directory
// to the library's Storage, and adds what the library leaves out (no-store
// headers, RFC 9207 iss, browser binding, 503 on store outages, cached
// discovery and JWKS).
package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/gjjid/gjjid/broker/store"
)

// Provider is the OpenID Provider: the protocol endpoints as an
// http.Handler, and the verifier of its own access tokens (verify.go).
type Provider struct {
	op        *op.Provider
	handler   http.Handler
	storage   *storage
	opts      Options
	discovery *discoveryCache
	tokens    *TokenVerifier
	jwt       jwtSigner
	serve     http.Handler // route behind faultInterceptor
	// clientKeys finds private_key_jwt clients' keys (clientkeys.go).
	clientKeys *clientKeys
}

// New builds the provider.
func New(st store.Store, keys KeySource, dir Directory, opts Options, log *slog.Logger) (*Provider, error) {
	if opts.Login == nil || opts.Clients == nil {
		return nil, errors.New("provider: Options.Login and Options.Clients are required")
	}
	if log == nil {
		log = slog.Default()
	}
	s := &storage{st: st, keys: keys, dir: dir, opts: opts, log: log, clients: opts.Clients, refresh: newRefreshMAC(opts.CryptoKey)}
	p := &Provider{storage: s, opts: opts, tokens: NewTokenVerifier(opts.Issuer, keys, st).WithDPoP(opts.DPoP),
		clientKeys: newClientKeys(opts.ClientKeysHTTP, opts.now)}

	cfg := &op.Config{
		CryptoKey:                opts.CryptoKey,
		CryptoKeyId:              "code1",
		DefaultLogoutRedirectURI: opts.LoggedOutURL,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.SimplifiedChinese, language.English},
	}
	algs := []string{"ES256", "RS256", "EdDSA"}
	options := []op.Option{
		op.WithCrypto(op.NewAES256GCMCrypto(opts.CryptoKey, "code1")),
		// The library's default CORS reflects any origin with credentials.
		// Browsers only need CORS for metadata, which the broker serves
		// itself; none of the library's endpoints gets it.
		op.WithCORSOptions(&cors.Options{AllowOriginFunc: func(string) bool { return false }}),
		op.WithAccessTokenVerifierOpts(op.WithSupportedAccessTokenSigningAlgorithms(algs...)),
		op.WithIDTokenHintVerifierOpts(op.WithSupportedIDTokenHintSigningAlgorithms(algs...)),
		op.WithHttpInterceptors(noStoreInterceptor, rawTokenInterceptor, p.issInterceptor, p.authorizeErrorInterceptor, p.browserInterceptor),
	}
	if opts.AllowInsecure {
		options = append(options, op.WithAllowInsecure())
	}
	o, err := op.NewProvider(cfg, s, op.StaticIssuer(opts.Issuer), options...)
	if err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.op = o
	p.handler = o
	p.discovery = newDiscoveryCache(p)
	p.serve = faultInterceptor(http.HandlerFunc(p.route))
	return p, nil
}

// ServeHTTP serves the protocol endpoints (paths relative to the issuer).
// Any of them that meets an unreachable store answers 503
// temporarily_unavailable (faultInterceptor).
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.serve.ServeHTTP(w, r) }

// route dispatches to the broker's own endpoints and grants or the
// library.
func (p *Provider) route(w http.ResponseWriter, r *http.Request) {
	if p.refuseRepeated(w, r) {
		return
	}
	var ok bool
	if r.URL.Path == "/userinfo" {
		if r, ok = p.dpopUserinfo(w, r); !ok {
			return
		}
	}
	w, r = p.challenges(w, r)
	if r, ok = p.clientAssertion(w, r); !ok {
		return
	}
	if r, ok = p.clientTLS(w, r); !ok {
		return
	}
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		p.serveDiscovery(w, r)
	case "/keys":
		p.serveJWKS(w, r)
	case PAREndpoint:
		p.servePAR(w, r)
	case "/authorize":
		if r, ok = p.authorizePushed(w, r); ok {
			p.handler.ServeHTTP(w, r)
		}
	case "/oauth/token":
		r = r.WithContext(withTokenSigning(r.Context()))
		if w, r, ok = p.dpopToken(w, r); !ok {
			return
		}
		if tw, held := w.(*tokenTypeWriter); held {
			defer tw.flush()
		}
		if r.Method == http.MethodPost && r.PostFormValue("grant_type") == string(oidc.GrantTypeClientCredentials) {
			p.serveClientCredentials(w, r)
			return
		}
		if r.Method == http.MethodPost && r.PostFormValue("grant_type") == GrantTypeTokenExchange {
			p.serveTokenExchange(w, r)
			return
		}
		p.handler.ServeHTTP(w, r)
	default:
		p.handler.ServeHTTP(w, r)
	}
}

// Client returns the registered client, from the client cache (for
// callers that hold the provider rather than the cache).
func (p *Provider) Client(ctx context.Context, id string) (*store.Client, error) {
	return p.storage.clients.Client(ctx, id)
}
