package config

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// ClientKeyAlgs are the algorithms a private_key_jwt client may sign its
// assertions with: asymmetric only (a shared key would be a secret).
var ClientKeyAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA}

// maxJWKSBytes bounds an inline key set.
const maxJWKSBytes = 16 << 10

// KeyProblem is one thing wrong with a client's keys: the metadata field
// (jwks or jwks_uri) and what to fix.
type KeyProblem struct{ Field, Message string }

// ValidateClientKeys checks the keys of a client that authenticates with
// method: a private_key_jwt client (RFC 7523 §2.2) needs exactly one of
// jwks (a JSON Web Key Set of public signing keys) and jwks_uri (https, or
// http on a loopback host); other clients may have neither. The config
// file, the admin API and dynamic registration share it.
func ValidateClientKeys(method, jwks, jwksURI string) []KeyProblem {
	var out []KeyProblem
	add := func(field, format string, args ...any) {
		out = append(out, KeyProblem{field, fmt.Sprintf(format, args...)})
	}
	if method == "self_signed_tls_client_auth" {
		// RFC 8705 §2.2: the certificate's key must be one of these.
		method = "private_key_jwt"
	}
	if method != "private_key_jwt" {
		if jwks != "" {
			add("jwks", "only a private_key_jwt or self_signed_tls_client_auth client has keys (auth method is %q)", method)
		}
		if jwksURI != "" {
			add("jwks_uri", "only a private_key_jwt or self_signed_tls_client_auth client has keys (auth method is %q)", method)
		}
		return out
	}
	switch {
	case jwks == "" && jwksURI == "":
		add("jwks_uri", "a private_key_jwt or self_signed_tls_client_auth client needs its public keys: set jwks_uri (or jwks)")
	case jwks != "" && jwksURI != "":
		add("jwks", "set jwks or jwks_uri, not both")
	case jwks != "":
		if _, err := ParseClientJWKS(jwks); err != nil {
			add("jwks", "%v", err)
		}
	default:
		u, err := url.Parse(jwksURI)
		if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
			add("jwks_uri", "must be an https URL (http only on a loopback host), got %q", jwksURI)
		}
	}
	return out
}

// ParseClientJWKS parses a client's key set and keeps it only if every key
// is a public signing key of an accepted algorithm.
func ParseClientJWKS(raw string) (*jose.JSONWebKeySet, error) {
	if len(raw) > maxJWKSBytes {
		return nil, fmt.Errorf("must be at most %d bytes", maxJWKSBytes)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(raw), &set); err != nil {
		return nil, fmt.Errorf("must be a JSON Web Key Set ({\"keys\":[…]}): %v", err)
	}
	if len(set.Keys) == 0 {
		return nil, fmt.Errorf("must hold at least one key")
	}
	for i, k := range set.Keys {
		switch {
		case !k.Valid():
			return nil, fmt.Errorf("keys[%d] is not a valid key", i)
		case !k.IsPublic():
			return nil, fmt.Errorf("keys[%d] is a private key: publish only the public half", i)
		case k.Use != "" && k.Use != "sig":
			return nil, fmt.Errorf("keys[%d] has use %q, want sig", i, k.Use)
		case k.Algorithm != "" && !slices.Contains(ClientKeyAlgs, jose.SignatureAlgorithm(k.Algorithm)):
			return nil, fmt.Errorf("keys[%d] has alg %q; accepted: RS256, PS256, ES256, EdDSA", i, k.Algorithm)
		}
	}
	return &set, nil
}

// ValidateTLSClientAuth checks a tls_client_auth client's certificate
// name (RFC 8705 §2.1.2): exactly one of the subject DN and a DNS name,
// and neither for other methods.
func ValidateTLSClientAuth(method, subjectDN, sanDNS string) []KeyProblem {
	var out []KeyProblem
	switch {
	case method != "tls_client_auth" && subjectDN != "":
		out = append(out, KeyProblem{"tls_client_auth_subject_dn", "only for auth method tls_client_auth"})
	case method != "tls_client_auth" && sanDNS != "":
		out = append(out, KeyProblem{"tls_client_auth_san_dns", "only for auth method tls_client_auth"})
	case method == "tls_client_auth" && (subjectDN == "") == (sanDNS == ""):
		out = append(out, KeyProblem{"tls_client_auth_subject_dn", "a tls_client_auth client names its certificate: set tls_client_auth_subject_dn (e.g. CN=rp.example,O=公积金中心,C=CN) or tls_client_auth_san_dns, one of them"})
	}
	return out
}

// TLSClientAuth configures mutual-TLS client authentication (RFC 8705).
type TLSClientAuth struct {
	// CAFiles are PEM files of the CAs that issue tls_client_auth
	// clients' certificates.
	CAFiles []string `yaml:"ca_files"`
}

func (t TLSClientAuth) validate(clients []Client, ps *Problems) {
	for i, f := range t.CAFiles {
		if _, err := LoadCertPool([]string{f}); err != nil {
			ps.add(fmt.Sprintf("tls_client_auth.ca_files[%d]", i), "%v", err)
		}
	}
	for i, c := range clients {
		if c.AuthMethod == "tls_client_auth" && len(t.CAFiles) == 0 {
			ps.add(fmt.Sprintf("clients[%d].auth_method", i), "tls_client_auth needs tls_client_auth.ca_files: the CAs that issue client certificates")
		}
	}
}

// LoadCertPool reads PEM certificates from files into a pool.
func LoadCertPool(files []string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("%s holds no PEM certificate", f)
		}
	}
	return pool, nil
}
