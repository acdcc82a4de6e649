package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

// clientKeys finds the public keys of private_key_jwt clients: the
// registered jwks, or the key set at jwks_uri, fetched and kept for
// jwksFresh. An assertion signed with a kid the kept set lacks makes it
// fetch again (the client rotated its keys), at most every jwksRetry per
// URI, so a stream of made-up kids cannot turn the broker against the
// client's server. A failed fetch keeps the last good set.
type clientKeys struct {
	hc  *http.Client
	now func() time.Time

	mu    sync.Mutex
	byURI map[string]*fetchedKeys
}

type fetchedKeys struct {
	set       *jose.JSONWebKeySet
	fetchedAt time.Time // of set; zero: never fetched
	triedAt   time.Time // of the last refetch for an unknown kid
}

const (
	jwksFresh    = 5 * time.Minute
	jwksRetry    = 10 * time.Second
	maxJWKSFetch = 64 << 10
)

func newClientKeys(hc *http.Client, now func() time.Time) *clientKeys {
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	return &clientKeys{hc: hc, now: now, byURI: map[string]*fetchedKeys{}}
}

// find returns the client's keys that may have made a signature with kid
// ("" when the assertion names none) and alg.
func (k *clientKeys) find(ctx context.Context, c *store.Client, kid string, alg jose.SignatureAlgorithm) ([]jose.JSONWebKey, error) {
	if c.JWKS != "" {
		set, err := config.ParseClientJWKS(c.JWKS)
		if err != nil {
			return nil, fmt.Errorf("client %q jwks: %w", c.ID, err)
		}
		if keys := matching(set, kid, alg); len(keys) > 0 {
			return keys, nil
		}
		return nil, fmt.Errorf("client %q has no key %q for %s", c.ID, kid, alg)
	}
	if c.JWKSURI == "" {
		return nil, fmt.Errorf("client %q has neither jwks nor jwks_uri", c.ID)
	}
	set, fresh, err := k.cached(ctx, c.JWKSURI, false)
	if err != nil {
		return nil, err
	}
	keys := matching(set, kid, alg)
	if len(keys) == 0 && !fresh {
		// An unknown kid: the client may have rotated its keys.
		if set, _, err = k.cached(ctx, c.JWKSURI, true); err != nil {
			return nil, err
		}
		keys = matching(set, kid, alg)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("client %q has no key %q for %s at its jwks_uri", c.ID, kid, alg)
	}
	return keys, nil
}

// cached returns the key set of uri, fetching it when none is kept or the
// kept one is older than jwksFresh. refresh (an unknown kid) fetches
// again unless the last such refetch of uri is under jwksRetry old.
// fresh reports that the set was fetched by this call.
func (k *clientKeys) cached(ctx context.Context, uri string, refresh bool) (set *jose.JSONWebKeySet, fresh bool, err error) {
	now := k.now()
	k.mu.Lock()
	e := k.byURI[uri]
	if e == nil {
		e = &fetchedKeys{}
		k.byURI[uri] = e
	}
	due := e.set == nil || now.Sub(e.fetchedAt) > jwksFresh
	if refresh && (e.triedAt.IsZero() || now.Sub(e.triedAt) >= jwksRetry) {
		due, e.triedAt = true, now
	}
	set = e.set
	k.mu.Unlock()
	if !due {
		return set, false, nil
	}
	got, err := k.fetch(ctx, uri)
	if err != nil {
		if set != nil {
			return set, false, nil // keep serving the last good set
		}
		return nil, false, err
	}
	k.mu.Lock()
	e.set, e.fetchedAt = got, now
	k.mu.Unlock()
	return got, true, nil
}

func (k *clientKeys) fetch(ctx context.Context, uri string) (*jose.JSONWebKeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri %s: %w", uri, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := k.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri %s: %w", uri, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks_uri %s: status %d", uri, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSFetch+1))
	if err != nil || len(b) > maxJWKSFetch {
		return nil, fmt.Errorf("jwks_uri %s: body unreadable or over %d bytes", uri, maxJWKSFetch)
	}
	set, err := config.ParseClientJWKS(string(b))
	if err != nil {
		return nil, fmt.Errorf("jwks_uri %s: %w", uri, err)
	}
	return set, nil
}

// matching are the keys of set that kid and alg allow.
func matching(set *jose.JSONWebKeySet, kid string, alg jose.SignatureAlgorithm) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range set.Keys {
		if (kid == "" || k.KeyID == kid) && (alg == "" || k.Algorithm == "" || k.Algorithm == string(alg)) && (k.Use == "" || k.Use == "sig") {
			out = append(out, k)
		}
	}
	return out
}
