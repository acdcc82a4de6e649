package provider

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
)

// Mutual-TLS client authentication (RFC 8705 §2): a client registered
// with tls_client_auth proves itself with a certificate a trusted CA
// issued for its registered subject DN or DNS name (§2.1, the PKI
// method); one with self_signed_tls_client_auth with a certificate whose
// key is one it published in jwks or jwks_uri (§2.2). The certificate
// comes from the mTLS listener's handshake, or from a trusted proxy's
// RFC 9440 header (login.ClientCertificates). As with private_key_jwt
// (clientassertion.go), a verified client goes on as Basic with a
// one-time secret only this request's context knows.

// Client authentication methods of RFC 8705 §2.
const (
	AuthTLSClient           = "tls_client_auth"
	AuthSelfSignedTLSClient = "self_signed_tls_client_auth"
)

type clientCertsKey struct{}

// WithClientCertificates records the request's client certificate chain
// (DER, leaf first), for mTLS client authentication.
func WithClientCertificates(ctx context.Context, chain [][]byte) context.Context {
	return context.WithValue(ctx, clientCertsKey{}, chain)
}

func clientCertificates(ctx context.Context) [][]byte {
	c, _ := ctx.Value(clientCertsKey{}).([][]byte)
	return c
}

// clientTLS authenticates a request whose client_id names a client of an
// RFC 8705 method; other requests pass untouched. It answers the request
// itself (false) when the certificate does not authenticate the client.
func (p *Provider) clientTLS(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if r.Method != http.MethodPost || !slices.Contains(clientAuthEndpoints, r.URL.Path) {
		return r, true
	}
	if err := r.ParseForm(); err != nil {
		return r, true
	}
	id := r.PostForm.Get("client_id")
	if _, _, basic := r.BasicAuth(); basic || id == "" || r.PostForm.Has("client_assertion") {
		return r, true
	}
	ctx := r.Context()
	cl, err := p.storage.clients.Client(ctx, id)
	switch {
	case errors.Is(err, store.ErrUnavailable):
		writeUnavailable(w)
		return r, false
	case err != nil || (cl.AuthMethod != AuthTLSClient && cl.AuthMethod != AuthSelfSignedTLSClient):
		return r, true // not an mTLS client: the usual authentication applies
	}
	if err := p.verifyClientCertificate(ctx, cl, clientCertificates(ctx)); err != nil {
		p.storage.log.InfoContext(ctx, "mTLS client authentication refused", "client", id, "endpoint", r.URL.Path, "err", err)
		p.clientAuthFailed(w, false)
		return r, false
	}
	secret := secrets.Random(32)
	form := url.Values{}
	for k, v := range r.PostForm {
		if k != "client_id" || r.URL.Path == PAREndpoint {
			form[k] = v
		}
	}
	body := form.Encode()
	r2 := r.Clone(context.WithValue(ctx, assertedKey{}, asserted{id, secret}))
	r2.Body, r2.ContentLength = readCloser{strings.NewReader(body)}, int64(len(body))
	r2.Form, r2.PostForm = nil, nil
	r2.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return r2, true
}

// verifyClientCertificate applies the client's RFC 8705 method to chain.
func (p *Provider) verifyClientCertificate(ctx context.Context, cl *store.Client, chain [][]byte) error {
	if len(chain) == 0 {
		return errors.New("no client certificate (use the mTLS endpoint)")
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return fmt.Errorf("client certificate: %w", err)
	}
	now := p.opts.now()
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return errors.New("the client certificate is not valid now")
	}
	if cl.AuthMethod == AuthSelfSignedTLSClient {
		keys, err := p.clientKeys.find(ctx, cl, "", "")
		if err != nil {
			return err
		}
		for _, k := range keys {
			if pub, ok := k.Key.(interface{ Equal(crypto.PublicKey) bool }); ok && pub.Equal(leaf.PublicKey) {
				return nil
			}
		}
		return errors.New("the certificate's key is not one the client published")
	}
	if p.opts.TLSClientCAs == nil {
		return errors.New("no tls_client_auth.ca_files configured")
	}
	inter := x509.NewCertPool()
	for _, der := range chain[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			inter.AddCert(c)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: p.opts.TLSClientCAs, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return fmt.Errorf("certificate chain: %w", err)
	}
	switch {
	case cl.TLSClientAuthSubjectDN != "" && leaf.Subject.String() == cl.TLSClientAuthSubjectDN:
		return nil
	case cl.TLSClientAuthSANDNS != "" && slices.Contains(leaf.DNSNames, cl.TLSClientAuthSANDNS):
		return nil
	}
	return fmt.Errorf("the certificate (subject %q) is not the client's registered subject", leaf.Subject.String())
}
