package broker_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// selfSigned makes a self-signed client certificate and its key.
func selfSigned(t *testing.T, cn string) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestMTLSClientAuthentication: RFC 8705 §2 at the mTLS listener — a
// tls_client_auth client by its CA-issued certificate's subject, a
// self_signed_tls_client_auth client by its published key; anything else
// is 401 invalid_client.
func TestMTLSClientAuthentication(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		clientCA := x509test.NewCA(t, x509test.ECDSA, "RP CA", nil)
		rpLeaf := clientCA.Issue(t, x509test.LeafOptions{CommonName: "rp.example", Organization: "示例业务系统"})
		otherCA := x509test.NewCA(t, x509test.ECDSA, "Other CA", nil)
		stranger := otherCA.Issue(t, x509test.LeafOptions{CommonName: "rp.example", Organization: "示例业务系统"})
		caFile := filepath.Join(t.TempDir(), "clients-ca.pem")
		if err := os.WriteFile(caFile, []byte(clientCA.PEM()), 0o600); err != nil {
			t.Fatal(err)
		}
		self := selfSigned(t, "self-rp")
		selfJWKS, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: self.PrivateKey.(*ecdsa.PrivateKey).Public(), Use: "sig"}}})

		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		mtlsURL := "https://" + ln.Addr().String()
		b := start(t, bt.Options{Edit: func(c *config.Config) {
			c.Listen.MTLS.URL = mtlsURL
			c.TLSClientAuth.CAFiles = []string{caFile}
			c.Clients = append(c.Clients,
				config.Client{ID: "mtls-rp", Name: "证书认证业务系统", ApplicationType: "web", AuthMethod: "tls_client_auth",
					TLSClientAuthSubjectDN: rpLeaf.Cert.Subject.String(), GrantTypes: []string{"client_credentials"}, Scopes: []string{"gjj:api"}},
				config.Client{ID: "self-rp", Name: "自签证书业务系统", ApplicationType: "web", AuthMethod: "self_signed_tls_client_auth",
					JWKS: string(selfJWKS), GrantTypes: []string{"client_credentials"}, Scopes: []string{"gjj:api"}})
		}})
		server := x509test.NewCA(t, x509test.ECDSA, "Server CA", nil)
		srv := server.Issue(t, x509test.LeafOptions{CommonName: "127.0.0.1", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPs: []net.IP{net.ParseIP("127.0.0.1")}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = b.ServeMTLS(ctx, tls.NewListener(ln, broker.MTLSConfig(tls.Certificate{Certificate: [][]byte{srv.DER}, PrivateKey: srv.Key})))
		}()
		t.Cleanup(func() { cancel(); <-done })

		d := bt.Discovery(t, b.URL)
		if aliases, _ := d["mtls_endpoint_aliases"].(map[string]any); aliases["token_endpoint"] != mtlsURL+"/oauth/token" {
			t.Fatalf("mtls_endpoint_aliases = %v", d["mtls_endpoint_aliases"])
		}
		roots := x509.NewCertPool()
		roots.AddCert(server.Cert)
		token := func(base, clientID string, cert *tls.Certificate) (int, map[string]any) {
			tc := &tls.Config{RootCAs: roots}
			if cert != nil {
				tc.Certificates = []tls.Certificate{*cert}
			}
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Second}
			resp, m := bt.PostFormWith(t, hc, base+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {"gjj:api"}})
			return resp.StatusCode, m
		}
		rpCert := &tls.Certificate{Certificate: [][]byte{rpLeaf.DER}, PrivateKey: rpLeaf.Key}
		if st, m := token(mtlsURL, "mtls-rp", rpCert); st != http.StatusOK || m["access_token"] == nil {
			t.Fatalf("tls_client_auth with its certificate: %d %v", st, m)
		}
		if st, m := token(mtlsURL, "self-rp", &self); st != http.StatusOK || m["access_token"] == nil {
			t.Fatalf("self_signed_tls_client_auth with its certificate: %d %v", st, m)
		}
		other := selfSigned(t, "self-rp")
		for _, tc := range []struct {
			name, base, client string
			cert               *tls.Certificate
		}{
			{"no certificate", mtlsURL, "mtls-rp", nil},
			{"the right subject from another CA", mtlsURL, "mtls-rp", &tls.Certificate{Certificate: [][]byte{stranger.DER}, PrivateKey: stranger.Key}},
			{"the other client's certificate", mtlsURL, "mtls-rp", &self},
			{"an unpublished self-signed key", mtlsURL, "self-rp", &other},
			{"the main listener (no certificate asked)", b.URL, "mtls-rp", nil},
		} {
			base := tc.base
			if strings.HasPrefix(base, "http://") {
				resp, err := http.PostForm(base+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {tc.client}, "scope": {"gjj:api"}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s: %d, want 401", tc.name, resp.StatusCode)
				}
				continue
			}
			if st, m := token(base, tc.client, tc.cert); st != http.StatusUnauthorized || m["error"] != "invalid_client" {
				t.Errorf("%s: %d %v, want 401 invalid_client", tc.name, st, m)
			}
		}
	})
}
